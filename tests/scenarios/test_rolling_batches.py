"""A rolling driver rollout with `serial: [1, 50%]` and `max_fail_percentage: 0`: one
host of the second batch fails, so the run stops before the third batch, whose host is
reported skipped and left untouched, and a retry file names the failed host.

The play installs only the driver (no toolkits, no PyTorch env) with `reboot: never`, to
keep the scenario short; the full workstation converges in test_workstation_converge.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from provision.lab.pytest_plugin import LabHost, RunningLab, SshRunner
from tests.scenarios.conftest import Provision, write_inventory

pytestmark = pytest.mark.lab

BROKEN_SOURCE = "deb [trusted=yes] http://127.0.0.1:9/nothing ./"
ROLLING_PLAYBOOK = """\
- name: rolling driver rollout
  hosts: all
  serial: [1, "50%"]
  max_fail_percentage: 0
  state:
    driver: {version: "535.154.05", source: apt, purge_conflicting: true,
             blacklist_nouveau: true, hold: true}
    sources: "{{ provision_sources }}"
    reboot: never
"""


def test_a_failure_in_the_second_batch_stops_the_rollout_before_the_third(
    lab: RunningLab, new_host: Callable[..., LabHost], ssh: SshRunner, provision: Provision,
    tmp_path: Path,
) -> None:  # fmt: skip
    canary, healthy, broken, last = (new_host() for _ in range(4))
    inventory = write_inventory(lab, [canary, healthy, broken, last], tmp_path / "inventory")
    playbook = tmp_path / "rolling.yaml"
    playbook.write_text(ROLLING_PLAYBOOK)
    # Given four hosts in batches [canary], [healthy, broken], [last], where the broken
    # host's apt cannot find the driver,
    ssh(broken, f"echo '{BROKEN_SOURCE}' > /etc/apt/sources.list.d/broken.list")
    report = tmp_path / "report.json"
    # when the rollout runs,
    result = provision("apply", str(playbook), "-i", str(inventory), "--yes",
                       "--report", str(report))  # fmt: skip
    # then it fails,
    assert result.code == 1
    hosts = json.loads(report.read_text())["hosts"]
    # the first two batches ran: the canary and the healthy host got the driver,
    for host in (canary, healthy):
        assert hosts[host.name]["status"] == "reboot-pending"
        assert "driver" in [change["task"] for change in hosts[host.name]["changes"]]
    assert hosts[broken.name]["status"] == "failed"
    # the last batch never started: skipped with the reason, and nothing changed there,
    assert hosts[last.name]["status"] == "skipped"
    assert hosts[last.name]["error"].startswith("not touched: 1 of 2 hosts")
    assert hosts[last.name]["changes"] == []
    assert ssh(last, "dpkg -s nvidia-driver-535", check=False).returncode != 0
    assert ssh(last, "test -e /var/lib/provision/last-run.json", check=False).returncode != 0
    assert "skipped=1" in result.out
    # and the retry file names only the failed host.
    assert (tmp_path / "rolling.retry").read_text() == f"{broken.name}\n"
