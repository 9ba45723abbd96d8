"""Changes to a converged workstation: drift is planned exactly and fixed, and a driver
upgrade purges, installs, reboots and ends with the new driver loaded.

One host is converged once per test session and saved as a lab snapshot
(`converged_workstation`); each scenario starts its own host from that snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner, run_ssh
from tests.scenarios.conftest import PLAYBOOK, Provision, write_inventory

pytestmark = pytest.mark.lab


def planned(provision: Provision, inventory: Path, host: LabHost, *extra: str) -> set[str]:
    """`task resource` of every change `plan --json` lists for the host."""
    result = provision("plan", str(PLAYBOOK), "-i", str(inventory), "--json", *extra)
    assert result.code == 0, result.err
    plan = json.loads(result.out)["hosts"][host.name]["plan"]
    return {f"{change['task']} {change['resource']}" for change in plan["changes"]}


def test_drift_is_planned_exactly_and_apply_fixes_it(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    assert planned(provision, inventory, host) == set(), "the snapshot is converged"
    # Given a user who edits the managed block, repoints the active CUDA and deletes a
    # toolkit behind apt's back,
    ssh(host, "sed -i 's#cuda-11.8#cuda-12.1#' /root/.bashrc")
    ssh(host, "ln -sfn /usr/local/cuda-12.1 /usr/local/cuda")
    ssh(host, "rm -rf /usr/local/cuda-11.7")
    # then the plan lists exactly those resources, with the block's diff,
    assert planned(provision, inventory, host) == {
        "shell-profile /root/.bashrc",
        "active-cuda /usr/local/cuda",
        "cuda /usr/local/cuda-11.7",
    }
    diff = provision("plan", str(PLAYBOOK), "-i", str(inventory))
    assert "-export CUDA_HOME=/usr/local/cuda-12.1" in diff.out
    assert "+export CUDA_HOME=/usr/local/cuda-11.8" in diff.out
    # and apply fixes them, with nothing left pending and no reboot.
    result = provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes",
                       "--report", str(tmp_path / "report.json"))  # fmt: skip
    assert result.code == 0, result.out + result.err
    report = json.loads((tmp_path / "report.json").read_text())["hosts"][host.name]
    assert report["reboots"] == 0 and len(report["changes"]) == 3
    assert ssh(host, "readlink /usr/local/cuda").stdout.strip() == "/usr/local/cuda-11.8"
    assert "release 11.7" in ssh(host, "/usr/local/cuda-11.7/bin/nvcc --version").stdout
    assert planned(provision, inventory, host) == set()


def test_a_driver_upgrade_purges_installs_reboots_and_loads_the_new_driver(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    loaded = "cat /sys/module/nvidia/version"
    assert ssh(host, loaded).stdout.strip() == "535.154.05"
    result = provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes",
                       "-e", "driver_version=550.54.15",
                       "--report", str(tmp_path / "report.json"))  # fmt: skip
    assert result.code == 0, result.out + result.err
    report = json.loads((tmp_path / "report.json").read_text())["hosts"][host.name]
    assert report["status"] == "changed" and report["reboots"] == 1
    tasks = [change["task"] for change in report["changes"]]
    assert tasks.index("driver") < tasks.index("reboot")
    assert run_ssh(host, loaded).stdout.strip() == "550.54.15"
    assert planned(provision, inventory, host, "-e", "driver_version=550.54.15") == set()
