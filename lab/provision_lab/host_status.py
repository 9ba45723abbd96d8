"""The per-host files shared by the lab commands and the host's supervisor.

`host.json` (written by `lab up`) says how to boot the host; `status.json` (written by
the supervisor) says what it is doing now. Both are replaced atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from provision_lab.processes import ProcessRecord

HostState = Literal["booting", "up", "rebooting", "failed", "stopped"]


class HostConfig(BaseModel):
    """How to boot one host (chosen by `lab up`, read by the supervisor at every boot)."""

    name: str
    port: int
    kernel: str
    gpu_name: str
    reboot_delay: float


class HostStatus(BaseModel):
    """What the supervisor of a host last reported."""

    state: HostState
    boot_number: int = 0
    boot_id: str | None = None
    unshare: ProcessRecord | None = None
    sshd: ProcessRecord | None = None
    nouveau_loaded: bool | None = None
    nvidia_version: str | None = None
    message: str = ""


def write_model(path: Path, model: BaseModel) -> None:
    """Write `model` as JSON to `path` atomically (readers never see half a file)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(model.model_dump_json(indent=2) + "\n")
    os.replace(temporary, path)


def read_status(path: Path) -> HostStatus | None:
    """The status in `path`, or None when there is none (yet) or it is unreadable."""
    try:
        return HostStatus.model_validate_json(path.read_text())
    except (OSError, ValidationError):
        return None


def read_config(path: Path) -> HostConfig:
    """The host config in `path`."""
    return HostConfig.model_validate_json(path.read_text())
