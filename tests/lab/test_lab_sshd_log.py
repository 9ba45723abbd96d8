"""The per-host sshd log records each exec and subsystem request exactly once."""

from __future__ import annotations

import subprocess

import pytest

from provision_lab.pytest_plugin import LabHost, SshRunner
from provision_lab.sshd_log import read_session_counts

pytestmark = pytest.mark.lab


def test_each_ssh_command_is_logged_once(fresh_host: LabHost, ssh: SshRunner) -> None:
    log = fresh_host.paths.host(fresh_host.name).sshd_log
    before = read_session_counts(log)
    for number in range(5):
        ssh(fresh_host, f"echo {number}")
    ssh(fresh_host, "true", user="ops")
    after = read_session_counts(log)
    assert after.exec_requests - before.exec_requests == 6
    assert after.connections - before.connections == 6
    root_before = before.exec_requests_by_user.get("root", 0)
    assert after.exec_requests_by_user["root"] - root_before == 5
    assert after.exec_requests_by_user["ops"] - before.exec_requests_by_user.get("ops", 0) == 1


def test_an_sftp_session_is_logged_as_a_subsystem_request(fresh_host: LabHost) -> None:
    paths = fresh_host.paths
    log = paths.host(fresh_host.name).sshd_log
    before = read_session_counts(log)
    result = subprocess.run(
        ["sftp", "-b", "-", "-i", str(paths.client_key), "-P", str(fresh_host.port),
         "-o", f"UserKnownHostsFile={paths.known_hosts}", "-o", "StrictHostKeyChecking=yes",
         "root@127.0.0.1"],
        input="pwd\n", capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    after = read_session_counts(log)
    assert after.subsystem_requests - before.subsystem_requests == 1
    assert after.exec_requests == before.exec_requests
