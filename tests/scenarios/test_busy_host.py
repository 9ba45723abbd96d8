"""A host whose GPU is in use is not given a new driver: the run leaves it alone,
reports it `busy` naming the process, and exits 3 (changes pending), not 1; `--force`
changes it all the same.

The GPU process is a stand-in: `sleep` holding the lab host's `/dev/nvidia0` (a plain
file on the host's private /dev), which the facts see as a process using the GPU.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner
from tests.scenarios.conftest import Provision, write_inventory

pytestmark = pytest.mark.lab

DRIVER_PLAYBOOK = """\
- name: driver
  hosts: all
  state:
    driver: {version: "535.154.05", source: apt, blacklist_nouveau: true}
    sources: "{{ provision_sources }}"
    reboot: never
"""
START_GPU_JOB = "touch /dev/nvidia0 && (setsid sleep 600 < /dev/nvidia0 > /dev/null 2>&1 & echo $!)"


def test_a_busy_host_is_reported_and_left_alone(
    lab: RunningLab, new_host: Callable[..., LabHost], ssh: SshRunner, provision: Provision,
    tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host()
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    playbook = tmp_path / "driver.yaml"
    playbook.write_text(DRIVER_PLAYBOOK)
    # Given a training job holding the GPU,
    pid = int(ssh(host, START_GPU_JOB).stdout.strip())
    try:
        # when the driver is applied,
        report = tmp_path / "report.json"
        result = provision("apply", str(playbook), "-i", str(inventory), "--yes",
                           "--report", str(report))  # fmt: skip
        # then the host is busy, naming the job, and changes stay pending,
        assert result.code == 3
        entry = json.loads(report.read_text())["hosts"][host.name]
        assert entry["status"] == "busy"
        assert f"sleep (pid {pid})" in entry["error"]
        assert entry["changes"] == []
        assert "busy=1" in result.out
        # and nothing was changed on it.
        assert ssh(host, "test -e /etc/modprobe.d/blacklist-nouveau.conf", check=False).returncode
        assert not (tmp_path / "driver.retry").exists()
        # With --force the driver is installed all the same.
        forced = provision("apply", str(playbook), "-i", str(inventory), "--yes", "--force")
        assert forced.code == 3
        assert f"{host.name} : reboot-pending" in forced.out
        assert ssh(host, "dpkg -s nvidia-driver", check=False).returncode == 0
    finally:
        ssh(host, f"kill {pid}", check=False)
