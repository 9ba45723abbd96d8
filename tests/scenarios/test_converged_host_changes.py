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
    assert ssh(host, "readlink -f /usr/local/cuda").stdout.strip() == "/usr/local/cuda-11.8"
    assert "release 11.7" in ssh(host, "/usr/local/cuda-11.7/bin/nvcc --version").stdout
    assert planned(provision, inventory, host) == set()


DRIVER_SET_VERSIONS = (
    "dpkg-query -W -f='${Package} ${Version}\\n' nvidia-driver nvidia-driver-libs "
    "nvidia-kernel-dkms nvidia-kernel-support firmware-nvidia-gsp nvidia-smi libcuda1 "
    "libnvidia-ml1 nvidia-alternative nvidia-driver-bin"
)


def test_a_point_release_upgrade_and_the_downgrade_back_converge(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    loaded = "cat /sys/module/nvidia/version"
    assert ssh(host, loaded).stdout.strip() == "535.154.05"
    # The mirror holds 535.154.05 and 535.161.07 of branch 535 (and 550): each apply moves
    # every part of the driver set to the one release, reboots, and loads it.
    for version, kind in (("535.161.07", "install"), ("535.154.05", "downgrade")):
        shown = provision("plan", str(PLAYBOOK), "-i", str(inventory),
                          "-e", f"driver_version={version}")  # fmt: skip
        assert f"wanted ({kind} of nvidia-driver," in shown.out, shown.out
        report_path = tmp_path / f"report-{version}.json"
        result = provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes",
                           "-e", f"driver_version={version}",
                           "--report", str(report_path))  # fmt: skip
        assert result.code == 0, result.out + result.err
        report = json.loads(report_path.read_text())["hosts"][host.name]
        assert report["status"] == "changed" and report["reboots"] == 1
        tasks = [change["task"] for change in report["changes"]]
        assert "driver-purge" not in tasks and tasks.index("driver") < tasks.index("reboot")
        assert run_ssh(host, loaded).stdout.strip() == version
        versions = run_ssh(host, DRIVER_SET_VERSIONS).stdout.split()[1::2]
        assert versions == [f"{version}-1"] * 10
        assert planned(provision, inventory, host, "-e", f"driver_version={version}") == set()


def test_hold_false_releases_provisions_hold_and_an_admins_hold_stops_the_plan(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    held = ssh(host, "apt-mark showhold").stdout.split()
    assert {"nvidia-driver", "nvidia-kernel-dkms", "nvidia-smi", "libcuda1"} <= set(held)
    # hold: false releases what provision held, and nothing else,
    ssh(host, "apt-mark hold openssh-server")
    result = provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes",
                       "-e", "driver_hold=false")  # fmt: skip
    assert result.code == 0, result.out + result.err
    assert ssh(host, "apt-mark showhold").stdout.split() == sorted(
        {"openssh-server", "libcudnn8", "libcudnn8-dev"}
    )
    # and a hold an admin puts on a driver package stops a change that needs it, by name,
    ssh(host, "apt-mark hold nvidia-smi")
    refused = provision("plan", str(PLAYBOOK), "-i", str(inventory),
                        "-e", "driver_version=535.161.07")  # fmt: skip
    assert refused.code != 0
    assert "nvidia-smi is held, not by provision" in refused.out + refused.err
    assert ssh(host, "dpkg-query -W -f='${Version}' nvidia-smi").stdout == "535.154.05-1"


def test_a_toolkit_installed_later_does_not_move_the_active_cuda(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    active = "readlink -f /usr/local/cuda"
    # Given CUDA 12.1's packages removed and installed again beside the active 11.8 (their
    # postinst registers /usr/local/cuda-12.1 with a higher priority than 11.8's),
    ssh(host, "DEBIAN_FRONTEND=noninteractive apt-get -y -q --purge remove 'cuda-*-12-1'")
    ssh(host, "DEBIAN_FRONTEND=noninteractive apt-get -y -q install cuda-toolkit-12-1=12.1.1-1",
        timeout=300)  # fmt: skip
    assert "release 12.1" in ssh(host, "/usr/local/cuda-12.1/bin/nvcc --version").stdout
    # the active toolkit stays 11.8, because provision selected it in manual mode,
    assert ssh(host, active).stdout.strip() == "/usr/local/cuda-11.8"
    assert "active-cuda /usr/local/cuda" not in planned(provision, inventory, host)
    # where the packages' auto mode would have taken the newest.
    ssh(host, "update-alternatives --auto cuda")
    assert ssh(host, active).stdout.strip() == "/usr/local/cuda-12.1"
    assert "active-cuda /usr/local/cuda" in planned(provision, inventory, host)
