"""Describes the control node a benchmark ran on (recorded with every result)."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def _first_value(path: Path, key: str) -> str | None:
    """The value of the first `key: value` (or `key=value`) line of `path`, if any."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        name, separator, value = line.partition(":" if ":" in line else "=")
        if separator and name.strip() == key:
            return value.strip().strip('"')
    return None


def memory_gib() -> float | None:
    """Total memory in GiB, from /proc/meminfo."""
    total = _first_value(Path("/proc/meminfo"), "MemTotal")
    return None if total is None else round(int(total.split()[0]) / 1024 / 1024, 1)


def machine_description() -> dict[str, Any]:
    """Cores, memory, kernel, OS, CPU model and the harness's Python."""
    return {
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "kernel": platform.release(),
        "os": _first_value(Path("/etc/os-release"), "PRETTY_NAME"),
        "cpu": _first_value(Path("/proc/cpuinfo"), "model name"),
        "python": platform.python_version(),
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }
