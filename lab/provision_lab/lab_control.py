"""Looking at and rebooting a running lab: `lab status` and `lab reboot`."""

from __future__ import annotations

import errno
import os
from typing import Any

from provision.errors import InputError, ProvisionError
from provision_lab.control_node import check_platform
from provision_lab.host import wait_until_ready
from provision_lab.host_status import read_config, read_status
from provision_lab.lab import host_public_key
from provision_lab.paths import HOST_NAME, LabPaths
from provision_lab.processes import is_running
from provision_lab.state import HostRecord, load_state


def _host_summary(paths: LabPaths, record: HostRecord) -> dict[str, Any]:
    status = read_status(paths.host(record.name).status_file)
    running = record.supervisor is not None and is_running(record.supervisor)
    state = "stopped"
    if running:
        state = status.state if status is not None else "booting"
    return {
        "name": record.name,
        "port": record.port,
        "pid": status.sshd.pid if status and status.sshd and running else None,
        "supervisor_pid": record.supervisor.pid if record.supervisor and running else None,
        "state": state,
        "boot_id": status.boot_id if status and running else None,
        "nouveau_loaded": status.nouveau_loaded if status and running else None,
        "nvidia_version": status.nvidia_version if status and running else None,
        "message": status.message if status and running else "",
    }


def lab_status(paths: LabPaths) -> dict[str, Any]:
    """The lab's hosts and mirror, as `lab status --json` prints them."""
    state = load_state(paths.state_file)
    mirror = None
    if state.mirror is not None and is_running(state.mirror.process):
        mirror = {
            "url": state.mirror.url,
            "apt_source": state.mirror.apt_source,
            "pid": state.mirror.process.pid,
        }
    return {
        "lab_dir": str(paths.root),
        "hosts": [
            _host_summary(paths, record)
            for record in sorted(state.hosts.values(), key=lambda r: r.name)
        ],
        "mirror": mirror,
        "known_hosts": str(paths.known_hosts),
        "private_key": str(paths.client_key),
    }


def request_reboot(paths: LabPaths, name: str, wait: bool = True) -> str | None:
    """Ask host `name`'s supervisor to reboot it; with `wait`, return its new boot id."""
    check_platform()
    state = load_state(paths.state_file)
    record = state.hosts.get(name)
    if record is None or not HOST_NAME.match(name):
        known = ", ".join(sorted(state.hosts)) or "none"
        raise InputError(f"lab: no host '{name}' in {paths.root} (hosts: {known})")
    host_paths = paths.host(name)
    if record.supervisor is None or not is_running(record.supervisor):
        raise ProvisionError(f"lab: {name} is not running: run `provision lab up`")
    status = read_status(host_paths.status_file)
    old_boot_id = status.boot_id if status is not None else None
    try:
        descriptor = os.open(host_paths.reboot_fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ENXIO:
            raise ProvisionError(f"lab: {name}'s supervisor is not listening") from error
        raise
    with os.fdopen(descriptor, "w") as fifo:
        fifo.write("reboot\n")
    if not wait:
        return None
    config = read_config(host_paths.config_file)
    key = host_public_key(paths, name)
    return wait_until_ready(host_paths, config, record.supervisor, key, old_boot_id=old_boot_id)
