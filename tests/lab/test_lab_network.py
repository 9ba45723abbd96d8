"""Every socket the lab listens on is bound to 127.0.0.1 only, on the machine and inside hosts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provision_lab.host_status import read_status
from provision_lab.processes import is_running
from provision_lab.pytest_plugin import RunningLab, SshRunner

pytestmark = pytest.mark.lab
LISTEN = "0A"


def listening_sockets(tables: list[str]) -> dict[int, tuple[str, int]]:
    """Socket inode -> (local address in hex, port) of LISTEN entries of /proc/net/tcp{,6}."""
    listening = {}
    for table in tables:
        for line in table.splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN:
                address, port = fields[1].split(":")
                listening[int(fields[9])] = (address, int(port, 16))
    return listening


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def pid_namespace(pid: int) -> str:
    return os.readlink(f"/proc/{pid}/ns/pid")


def host_namespace(lab: RunningLab, name: str) -> str:
    """The PID namespace of host `name`'s sshd; the test fails naming a host that is not up."""
    status = read_status(lab.paths.host(name).status_file)
    if status is None or status.sshd is None:
        pytest.fail(f"lab host {name} is not up: it has no sshd", pytrace=False)
    try:
        if is_running(status.sshd):
            return pid_namespace(status.sshd.pid)
    except OSError:
        pass
    pytest.fail(f"lab host {name} is not up: its sshd {status.sshd.pid} is gone", pytrace=False)


def lab_pids(lab: RunningLab) -> list[int]:
    """The mirror server and every process inside any host's PID namespace."""
    namespaces = {host_namespace(lab, name) for name in lab.hosts}
    state = lab.state()
    assert state.mirror is not None
    pids = [state.mirror.process.pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if pid_namespace(int(entry.name)) in namespaces:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def test_every_lab_listener_is_on_loopback_only(lab: RunningLab) -> None:
    tables = [Path(f"/proc/net/{name}").read_text() for name in ("tcp", "tcp6")]
    listening = listening_sockets(tables)
    lab_listeners = {
        listening[inode]
        for pid in lab_pids(lab)
        for inode in socket_inodes(pid)
        if inode in listening
    }
    state = lab.state()
    assert state.mirror is not None
    expected_ports = {record.port for record in state.hosts.values()} | {state.mirror.port}
    assert {port for _, port in lab_listeners} == expected_ports
    assert {address for address, _ in lab_listeners} == {"0100007F"}


def test_a_host_sees_its_sshd_bound_to_loopback(lab: RunningLab, ssh: SshRunner) -> None:
    host = lab.hosts["lab-02"]
    tables = [ssh(host, "cat /proc/net/tcp /proc/net/tcp6").stdout]
    entries = [entry for entry in listening_sockets(tables).values() if entry[1] == host.port]
    assert entries == [("0100007F", host.port)]
