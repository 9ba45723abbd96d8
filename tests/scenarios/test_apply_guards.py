"""What `apply` refuses to do on a lab host: change it without confirmation when no
terminal can ask, or collide with another run that holds the host's lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provision.runner.lock import LOCK_PATH, LockOwner
from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner
from tests.scenarios.conftest import PLAYBOOK, Provision, write_inventory

pytestmark = pytest.mark.lab


def test_without_yes_and_without_a_terminal_nothing_is_changed(
    lab: RunningLab, fresh_host: LabHost, ssh: SshRunner, provision: Provision, tmp_path: Path
) -> None:
    inventory = str(write_inventory(lab, fresh_host, tmp_path / "inventory"))
    result = provision("apply", str(PLAYBOOK), "-i", inventory)
    assert result.code == 2
    assert "pass --yes" in result.err
    assert ssh(fresh_host, "test -e /etc/modprobe.d/blacklist-nouveau.conf",
               check=False).returncode == 1  # fmt: skip
    assert ssh(fresh_host, f"test -e {LOCK_PATH}", check=False).returncode == 1


def test_a_host_locked_by_another_run_is_failed_and_left_alone(
    lab: RunningLab, fresh_host: LabHost, ssh: SshRunner, provision: Provision, tmp_path: Path
) -> None:
    inventory = str(write_inventory(lab, fresh_host, tmp_path / "inventory"))
    other = LockOwner("other-run", "another-control-node", 4242, 2_000_000_000.0)
    ssh(fresh_host, f"mkdir -p /var/lib/provision && echo '{other.text()}' > {LOCK_PATH}")
    result = provision("apply", str(PLAYBOOK), "-i", inventory, "--yes",
                       "--report", str(tmp_path / "report.json"))  # fmt: skip
    assert result.code == 1
    host = json.loads((tmp_path / "report.json").read_text())["hosts"][fresh_host.name]
    assert host["status"] == "failed"
    assert "locked by run other-run of another-control-node (pid 4242)" in host["error"]
    assert json.loads(ssh(fresh_host, f"cat {LOCK_PATH}").stdout)["run_id"] == "other-run"
    assert ssh(fresh_host, "test -e /etc/modprobe.d/blacklist-nouveau.conf",
               check=False).returncode == 1  # fmt: skip
