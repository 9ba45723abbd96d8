"""The interface between the benchmark harness and each tool it measures.

The harness brings up a lab, hands each tool adapter a `Lab`, and runs the `Invocation`
the adapter returns; adapters never spawn the measured process themselves, so every tool
is timed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class LabHost:
    """One lab host, as the inventory written by `provision lab up` describes it."""

    name: str
    address: str
    port: int
    user: str
    private_key: Path
    known_hosts: Path


@dataclass(frozen=True)
class Lab:
    """The lab one (tool, host count) measurement runs against."""

    hosts: tuple[LabHost, ...]
    inventory: Path
    """The provision inventory file `provision lab up` wrote (hosts.yaml)."""
    mirror_url: str
    """The lab's `lab_mirror_url`."""
    mirror_apt_source: str
    """The lab's `lab_mirror_apt_source`, as provision's playbooks use it."""
    workdir: Path
    """Scratch folder for this tool and host count; adapters write their inventories here."""


@dataclass(frozen=True)
class Invocation:
    """One command to measure: the harness spawns it and times its whole process tree."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    """Variables set on top of the harness's own environment (which keeps PATH, HOME...)."""
    cwd: Path = field(default_factory=Path.cwd)
    ok_exit_codes: tuple[int, ...] = (0,)
    """The exit codes that mean success (provision's first run exits 3, reboot-pending)."""


class Tool(Protocol):
    """A provisioning tool the harness can install, configure and run against a lab."""

    name: str
    """"provision", "ansible", "pyinfra" or "floor"."""

    def install(self, venv: Path) -> dict[str, str]:
        """Create or refresh `venv` with the tool; return the installed versions by package."""
        ...

    def variants(self, hosts: int) -> list[str]:
        """The configurations to measure for `hosts` hosts, e.g. ["default", "forks-20"]."""
        ...

    def invocation(self, variant: str, lab: Lab, venv: Path) -> Invocation:
        """The command that converges every lab host; may write files under `lab.workdir`."""
        ...
