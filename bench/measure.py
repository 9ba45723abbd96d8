"""Measures one invocation: time and CPU of its process tree, and its SSH traffic per host.

The process figures come from `bench/process_tree.py`, run as a separate process; the SSH
figures from the lines each lab host's sshd log gained while the invocation ran.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.errors import BenchError
from bench.tool import Invocation
from provision_lab.sshd_log import SessionCounts, count_sessions

PROCESS_TREE_SCRIPT = Path(__file__).with_name("process_tree.py")
UNSET_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")
"""Harness variables that would make a tool's interpreter import from outside its venv."""


@dataclass(frozen=True)
class ProcessFigures:
    """What one run of a command cost on the control node."""

    returncode: int
    wall_s: float
    cpu_s: float
    """User + system time of the whole process tree."""
    peak_rss_mb: float
    leftover_processes: int


@dataclass(frozen=True)
class Measurement:
    """One measured invocation: its process figures and the SSH use it caused per host."""

    process: ProcessFigures
    sessions: dict[str, SessionCounts]
    log: Path

    @property
    def failed(self) -> bool:
        """Whether the tool reported failure (a non-zero exit)."""
        return self.process.returncode != 0


class SshdLogCursor:
    """Remembers how long each host's sshd log was, to count only the lines added since."""

    def __init__(self, logs: Mapping[str, Path]) -> None:
        self.offsets = {
            name: log.stat().st_size if log.is_file() else 0 for name, log in logs.items()
        }
        self.logs = dict(logs)

    def new_text(self, name: str) -> str:
        """What host `name`'s log gained since the cursor was made."""
        log = self.logs[name]
        if not log.is_file():
            return ""
        with log.open("rb") as stream:
            stream.seek(self.offsets[name])
            return stream.read().decode(errors="replace")

    def counts(self) -> dict[str, SessionCounts]:
        """Connections and exec/subsystem requests per host since the cursor was made."""
        return {name: count_sessions(self.new_text(name)) for name in self.logs}


def child_environment(invocation: Invocation) -> dict[str, str]:
    """The harness's environment, less what would leak into a venv, plus the invocation's."""
    base = {key: value for key, value in os.environ.items() if key not in UNSET_VARIABLES}
    return {**base, **invocation.env}


def run_process_tree(invocation: Invocation, log: Path) -> ProcessFigures:
    """Run `invocation` under `process_tree.py`, output appended to `log`; return its cost."""
    result = log.with_suffix(".result.json")
    result.unlink(missing_ok=True)
    spec = json.dumps({
        "argv": invocation.argv, "env": child_environment(invocation),
        "cwd": str(invocation.cwd), "log": str(log),
    })  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(PROCESS_TREE_SCRIPT), str(result)], input=spec, text=True, check=False
    )
    if done.returncode != 0 or not result.is_file():
        raise BenchError(f"bench: measuring {invocation.argv[0]} failed (exit {done.returncode})")
    figures = json.loads(result.read_text())
    result.unlink()
    if "error" in figures:
        raise BenchError(f"bench: {figures['error']}")
    return ProcessFigures(
        returncode=figures["returncode"],
        wall_s=figures["wall_s"],
        cpu_s=figures["cpu_user_s"] + figures["cpu_system_s"],
        peak_rss_mb=figures["peak_rss_kb"] / 1024,
        leftover_processes=figures["leftover_processes"],
    )


def measure(invocation: Invocation, log: Path, sshd_logs: Mapping[str, Path]) -> Measurement:
    """Run `invocation` once and return its process figures and per-host SSH counts."""
    cursor = SshdLogCursor(sshd_logs)
    process = run_process_tree(invocation, log)
    return Measurement(process=process, sessions=cursor.counts(), log=log)
