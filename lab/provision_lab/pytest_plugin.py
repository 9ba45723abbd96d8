"""pytest fixtures for tests against the sandbox lab (the Molecule-like part).

- `lab` (session): a lab with `LAB_HOSTS` hosts, started once per test session under
  `.lab/pytest` (or `$PROVISION_LAB_TEST_DIR`), brought down at the end.
- `fresh_host` (function): a new host on a new overlay of the cached base image.
- `ssh`: runs a command on a lab host with the real `ssh` client, the lab's key and
  known_hosts (StrictHostKeyChecking=yes).

Lab tests skip (with the reason) when this machine cannot run the lab, except in CI
(`CI` set), where they fail instead. Enable with `pytest_plugins = [__name__]`.
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from provision.errors import ProvisionError
from provision_lab.control_node import check_control_node
from provision_lab.host import wait_until_ready
from provision_lab.host_status import read_config
from provision_lab.lab import add_host, down, host_public_key, remove_host, up
from provision_lab.paths import LabPaths
from provision_lab.state import LabState, load_state

LAB_HOSTS = 3
TEST_REBOOT_DELAY = 1.0
DEFAULT_TEST_DIR = Path(__file__).resolve().parents[2] / ".lab" / "pytest"


@dataclass(frozen=True)
class LabHost:
    """A running lab host as a test sees it."""

    name: str
    port: int
    paths: LabPaths


@dataclass(frozen=True)
class RunningLab:
    """The session's lab: its directory and its hosts by name."""

    paths: LabPaths
    hosts: dict[str, LabHost]

    def state(self) -> LabState:
        """The lab's current state file."""
        return load_state(self.paths.state_file)


SshRunner = Callable[..., "subprocess.CompletedProcess[str]"]


def lab_unavailable_reason() -> str | None:
    """Why this machine cannot run the lab, or None when it can."""
    if platform.system() != "Linux":
        return "the sandbox lab needs Linux"
    try:
        check_control_node()
    except ProvisionError as error:
        return error.message
    return None


def require_lab() -> None:
    """Skip the test (fail it in CI) when the lab cannot run here."""
    reason = lab_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"lab test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"sandbox lab unavailable: {reason}")


def ssh_command(host: LabHost, command: str, user: str = "root") -> list[str]:
    """The `ssh` argv that runs `command` on `host` as `user` with the lab's trust."""
    return [
        "ssh", "-i", str(host.paths.client_key), "-p", str(host.port),
        "-o", f"UserKnownHostsFile={host.paths.known_hosts}", "-o", "StrictHostKeyChecking=yes",
        "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
        f"{user}@127.0.0.1", command,
    ]  # fmt: skip


def run_ssh(
    host: LabHost, command: str, user: str = "root", check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `command` on `host` over real SSH; with `check`, fail the test on non-zero exit."""
    result = subprocess.run(
        ssh_command(host, command, user), capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
    if check and result.returncode != 0:
        pytest.fail(
            f"ssh {user}@{host.name} {command!r} exited {result.returncode}: "
            f"{result.stderr.strip()} {result.stdout.strip()}",
            pytrace=False,
        )
    return result


def _hosts(paths: LabPaths) -> dict[str, LabHost]:
    state = load_state(paths.state_file)
    return {name: LabHost(name, record.port, paths) for name, record in state.hosts.items()}


def wait_for_new_boot(host: LabHost, old_boot_id: str | None) -> str:
    """Wait until `host` is back with a boot id other than `old_boot_id`; return it."""
    state = load_state(host.paths.state_file)
    record = state.hosts[host.name]
    assert record.supervisor is not None
    host_paths = host.paths.host(host.name)
    config = read_config(host_paths.config_file)
    key = host_public_key(host.paths, host.name)
    return wait_until_ready(host_paths, config, record.supervisor, key, old_boot_id=old_boot_id)


@pytest.fixture(scope="session")
def lab() -> Iterator[RunningLab]:
    """The session's lab: `LAB_HOSTS` hosts, started once, brought down at the end."""
    require_lab()
    paths = LabPaths.at(Path(os.environ.get("PROVISION_LAB_TEST_DIR", DEFAULT_TEST_DIR)))
    try:
        up(paths, LAB_HOSTS, reboot_delay=TEST_REBOOT_DELAY)
        yield RunningLab(paths, _hosts(paths))
    finally:
        down(paths)


@pytest.fixture
def fresh_host(lab: RunningLab) -> Iterator[LabHost]:
    """A new host on a fresh overlay of the session's base image, removed afterwards."""
    name = add_host(lab.paths)
    try:
        yield _hosts(lab.paths)[name]
    finally:
        remove_host(lab.paths, name)


@pytest.fixture
def new_host(lab: RunningLab) -> Iterator[Callable[..., LabHost]]:
    """`new_host(snapshot=None)`: start a host (from a snapshot taken with
    `provision_lab.snapshots.take_snapshot`, if named); all are removed after the test."""
    started: list[str] = []

    def start(snapshot: str | None = None) -> LabHost:
        name = add_host(lab.paths, snapshot=snapshot)
        started.append(name)
        return _hosts(lab.paths)[name]

    try:
        yield start
    finally:
        for name in started:
            remove_host(lab.paths, name)


@pytest.fixture
def ssh() -> SshRunner:
    """`ssh(host, command, user="root", check=True)`: run a command on a lab host."""
    return run_ssh
