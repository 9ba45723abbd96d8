"""The lab's state file (`<lab>/state.json`): its hosts, ports and recorded processes."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ValidationError

from provision.errors import ProvisionError
from provision_lab.processes import ProcessRecord


class HostRecord(BaseModel):
    """One host the lab created: where it listens and its supervisor's process."""

    name: str
    port: int
    supervisor: ProcessRecord | None = None


class MirrorRecord(BaseModel):
    """The running mirror HTTP server."""

    port: int
    process: ProcessRecord
    apt_source: str

    @property
    def url(self) -> str:
        """The mirror's base URL (loopback only)."""
        return f"http://127.0.0.1:{self.port}"


class LabState(BaseModel):
    """Everything `down` needs to stop and clean up the lab, even a half-started one."""

    hosts: dict[str, HostRecord] = {}
    mirror: MirrorRecord | None = None
    gpu_name: str | None = None
    reboot_delay: float = 2.0


def load_state(path: Path) -> LabState:
    """The lab state in `path` (an empty state when there is none)."""
    if not path.is_file():
        return LabState()
    try:
        return LabState.model_validate_json(path.read_text())
    except ValidationError as error:
        raise ProvisionError(
            f"lab: {path} is not a lab state file: {error.errors()[0]['msg']}"
        ) from error


def save_state(path: Path, state: LabState) -> None:
    """Write the lab state atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(state.model_dump_json(indent=2) + "\n")
    os.replace(temporary, path)
