"""A rolling 535 -> 550 driver upgrade of converged hosts, as a canary rollout.

`serial: [1, "50%"]` and `max_fail_percentage: 0` over four hosts make the batches
[canary], [healthy, broken], [last]. Each host whose driver changed reboots and must pass
the verify checks before it counts as done (the canary check). The broken host's apt
cannot read the mirror, so it fails before anything is removed; the run stops before the
last batch, whose host keeps its old driver, and a retry file names the failed host. When
the canary itself fails its checks, no other host is touched.

The hosts start from the converged workstation snapshot; the play is the fleet playbook
(no PyTorch env or libtorch to keep the scenario short), on the workstation's CUDA 11.8.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner, run_ssh
from tests.conftest import ROOT
from tests.scenarios.conftest import Provision, write_inventory

pytestmark = pytest.mark.lab

BROKEN_SOURCE = "deb [trusted=yes] http://127.0.0.1:9/nothing ./"
UPGRADE = ("-e", "driver_version=550.54.15", "-e", "active_cuda=11.8")
LOADED = "cat /sys/module/nvidia/version"


def rolling_playbook(folder: Path, serial: list[int | str]) -> Path:
    """The fleet playbook with the scenario's batches."""
    plays = yaml.safe_load((ROOT / "playbooks" / "fleet.yaml").read_text())
    plays[0]["serial"] = serial
    path = folder / "rolling.yaml"
    path.write_text(yaml.safe_dump(plays, sort_keys=False))
    return path


def hosts_report(path: Path) -> dict[str, dict[str, object]]:
    hosts: dict[str, dict[str, object]] = json.loads(path.read_text())["hosts"]
    return hosts


def tasks(host: dict[str, object]) -> list[str]:
    return [str(change["task"]) for change in host["changes"]]  # type: ignore[attr-defined]


def test_a_failure_in_the_second_batch_stops_the_upgrade_before_the_third(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost],
    ssh: SshRunner, provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    canary, healthy, broken, last = (new_host(snapshot=converged_workstation) for _ in range(4))
    inventory = write_inventory(lab, [canary, healthy, broken, last], tmp_path / "inventory")
    playbook = rolling_playbook(tmp_path, [1, "50%"])
    # Given four hosts on driver 535, where the broken host's apt cannot read its sources,
    ssh(broken, f"echo '{BROKEN_SOURCE}' > /etc/apt/sources.list.d/broken.list")
    report = tmp_path / "report.json"
    # when the upgrade to 550 rolls out,
    result = provision("apply", str(playbook), "-i", str(inventory), "--yes", *UPGRADE,
                       "--report", str(report))  # fmt: skip
    # then it fails,
    assert result.code == 1, result.out + result.err
    hosts = hosts_report(report)
    # the canary and the healthy host run 550 after one reboot each, checked before done,
    for host in (canary, healthy):
        entry = hosts[host.name]
        assert (entry["status"], entry["reboots"]) == ("changed", 1), entry
        # (Debian's driver packages keep their names across branches: upgraded in place)
        assert tasks(entry) == ["apt-repository", "driver", "reboot"]
        assert any("canary check after the driver change" in note for note in entry["notes"])  # type: ignore[attr-defined]
        assert set(entry["timings"]) >= {"connect", "facts", "plan", "apply", "reboot", "verify"}  # type: ignore[arg-type]
        assert run_ssh(host, LOADED).stdout.strip() == "550.54.15"
    # the broken host failed before its driver was touched,
    assert hosts[broken.name]["status"] == "failed"
    assert "apt-repository" in str(hosts[broken.name]["error"])
    assert "driver" not in tasks(hosts[broken.name])
    installed = "dpkg-query -W -f '${db:Status-Status} ${Version}' nvidia-driver"
    assert ssh(broken, installed).stdout.strip() == "installed 535.154.05-1"
    assert ssh(broken, LOADED).stdout.strip() == "535.154.05"
    # the last batch never started: skipped with the reason, its driver untouched,
    assert hosts[last.name]["status"] == "skipped"
    assert str(hosts[last.name]["error"]).startswith("not touched: 1 of 2 hosts")
    assert hosts[last.name]["changes"] == []
    assert ssh(last, LOADED).stdout.strip() == "535.154.05"
    assert "skipped=1" in result.out
    # and the retry file names only the failed host.
    assert (tmp_path / "rolling.retry").read_text() == f"{broken.name}\n"


def test_a_canary_that_fails_its_checks_keeps_the_upgrade_from_every_other_host(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost],
    ssh: SshRunner, provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    canary, second, third = (new_host(snapshot=converged_workstation) for _ in range(3))
    inventory = write_inventory(lab, [canary, second, third], tmp_path / "inventory")
    playbook = rolling_playbook(tmp_path, [1])
    # Given a canary whose CUDA 11.8 compiler no longer runs (nothing the plan would see),
    ssh(canary, "printf '#!/bin/sh\\nexit 1\\n' > /usr/local/cuda-11.8/bin/nvcc")
    report = tmp_path / "report.json"
    # when the upgrade rolls out one host at a time,
    result = provision("apply", str(playbook), "-i", str(inventory), "--yes", *UPGRADE,
                       "--report", str(report))  # fmt: skip
    # then the canary got the new driver and rebooted, but failed its check, naming it,
    assert result.code == 1, result.out + result.err
    hosts = hosts_report(report)
    entry = hosts[canary.name]
    assert (entry["status"], entry["reboots"]) == ("failed", 1)
    assert str(entry["error"]).startswith("canary check after the driver change failed: ")
    assert "nvcc" in str(entry["error"])
    assert run_ssh(canary, LOADED).stdout.strip() == "550.54.15"
    # and no other host was touched.
    for host in (second, third):
        assert hosts[host.name]["status"] == "skipped"
        assert ssh(host, LOADED).stdout.strip() == "535.154.05"
