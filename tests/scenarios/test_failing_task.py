"""A task that fails on one host: that host is reported failed with the task and the
host's own error, its notified handler still runs, and the other host converges."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner
from tests.scenarios.conftest import PLAYBOOK, Provision, write_inventory

pytestmark = pytest.mark.lab

BROKEN_SOURCE = "deb [trusted=yes] http://127.0.0.1:9/nothing ./"
BLACKLIST_IN_INITRD = (
    "lsinitramfs /boot/initrd.img-$(uname -r) | grep -q etc/modprobe.d/blacklist-nouveau.conf"
)


def test_a_failing_task_fails_its_host_runs_its_handlers_and_spares_the_others(
    lab: RunningLab, new_host: Callable[..., LabHost], ssh: SshRunner, provision: Provision,
    tmp_path: Path,
) -> None:  # fmt: skip
    healthy, broken = new_host(), new_host()
    inventory = write_inventory(lab, [healthy, broken], tmp_path / "inventory")
    # Given a host with a dead repository among its apt sources (a strict `apt-get update`
    # fails on it before anything is installed or removed),
    ssh(broken, f"echo '{BROKEN_SOURCE}' > /etc/apt/sources.list.d/broken.list")
    assert ssh(broken, BLACKLIST_IN_INITRD, check=False).returncode != 0
    # when both hosts are applied,
    result = provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes",
                       "--report", str(tmp_path / "report.json"))  # fmt: skip
    # then the run fails, naming the broken host's task and apt's own words,
    assert result.code == 1
    hosts = json.loads((tmp_path / "report.json").read_text())["hosts"]
    assert hosts[broken.name]["status"] == "failed"
    error = hosts[broken.name]["error"]
    assert error.startswith("apt-repository /etc/apt/sources.list.d/provision-cuda.list: ")
    assert "exited 100: E: Failed to fetch http://127.0.0.1:9/nothing" in error
    tasks = [change["task"] for change in hosts[broken.name]["changes"]]
    assert tasks == ["nouveau"]
    # the nouveau change's handler rebuilt the initramfs all the same,
    assert ssh(broken, BLACKLIST_IN_INITRD, check=False).returncode == 0
    # and the healthy host converged, with its reboot.
    assert hosts[healthy.name]["status"] == "changed"
    assert hosts[healthy.name]["reboots"] == 1
    record = json.loads(ssh(broken, "cat /var/lib/provision/last-run.json").stdout)
    assert record["result"] == "failed"
