"""A host started from a snapshot has the snapshot host's changes but its own identity."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from provision.errors import InputError
from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner
from provision_lab.snapshots import take_snapshot

pytestmark = pytest.mark.lab


def test_a_host_from_a_snapshot_keeps_changes_and_gets_its_own_identity(
    lab: RunningLab, fresh_host: LabHost, new_host: Callable[..., LabHost], ssh: SshRunner
) -> None:
    ssh(fresh_host, "echo converged > /etc/provisioned && rm /etc/motd && useradd -m alice")
    take_snapshot(lab.paths, fresh_host.name, "converged")
    copy = new_host(snapshot="converged")
    assert ssh(copy, "cat /etc/provisioned").stdout == "converged\n"
    assert ssh(copy, "test -e /etc/motd", check=False).returncode == 1
    assert ssh(copy, "id -u alice").returncode == 0
    assert ssh(copy, "hostname").stdout.strip() == copy.name != fresh_host.name
    key = "cat /etc/ssh/ssh_host_ed25519_key.pub"
    assert ssh(copy, key).stdout.split()[1] != ssh(fresh_host, key).stdout.split()[1]


def test_snapshot_labels_are_checked(lab: RunningLab, fresh_host: LabHost) -> None:
    with pytest.raises(InputError, match="snapshot label"):
        take_snapshot(lab.paths, fresh_host.name, "../escape")
