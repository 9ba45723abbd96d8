"""Converge and idempotence, as Molecule runs them: a fresh lab host becomes the workstation
of the original notes with one reboot, and the immediate second run changes nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner, run_ssh, wait_for_new_boot
from tests.scenarios.conftest import PLAYBOOK, Provision, write_inventory

pytestmark = pytest.mark.lab


def boot_id(ssh: SshRunner, host: LabHost) -> str:
    return str(ssh(host, "cat /proc/sys/kernel/random/boot_id").stdout.strip())


def test_a_fresh_host_converges_with_one_reboot_and_a_second_run_changes_nothing(
    lab: RunningLab, fresh_host: LabHost, ssh: SshRunner, provision: Provision, tmp_path: Path
) -> None:
    inventory = str(write_inventory(lab, fresh_host, tmp_path / "inventory"))
    first_boot = boot_id(ssh, fresh_host)

    # Given a fresh host, when the workstation playbook is applied,
    started = time.monotonic()
    converge = provision("apply", str(PLAYBOOK), "-i", inventory, "--yes",
                         "--report", str(tmp_path / "converge.json"))  # fmt: skip
    converge_s = time.monotonic() - started
    # then the host converged, with exactly one reboot that really happened.
    assert converge.code == 0, converge.out + converge.err
    report = json.loads((tmp_path / "converge.json").read_text())
    host = report["hosts"][fresh_host.name]
    assert host["status"] == "changed" and host["error"] is None
    assert host["reboots"] == 1
    assert boot_id(ssh, fresh_host) != first_boot
    tasks = [change["task"] for change in host["changes"]]
    for task in ("nouveau", "driver", "reboot", "cuda", "cudnn", "active-cuda", "shell-profile",
                 "conda", "conda-env", "pytorch", "libtorch"):  # fmt: skip
        assert task in tasks
    assert tasks.index("driver") < tasks.index("reboot") < tasks.index("cuda")
    # The host keeps a record of the run, and no lock is left behind.
    record = json.loads(ssh(fresh_host, "cat /var/lib/provision/last-run.json").stdout)
    assert record["result"] == "changed" and record["run_id"] == report["summary"]["run_id"]
    assert record["playbook_sha256"] == report["summary"]["playbook_sha256"]
    assert ssh(fresh_host, "test -e /var/lib/provision/lock", check=False).returncode == 1
    converged_boot = boot_id(ssh, fresh_host)

    # When it is applied again at once,
    started = time.monotonic()
    again = provision("apply", str(PLAYBOOK), "-i", inventory, "--yes",
                      "--report", str(tmp_path / "again.json"))  # fmt: skip
    again_s = time.monotonic() - started
    # then nothing changes and nothing reboots (Molecule's idempotence step),
    assert again.code == 0, again.out + again.err
    host = json.loads((tmp_path / "again.json").read_text())["hosts"][fresh_host.name]
    assert (host["status"], host["changes"], host["reboots"]) == ("ok", [], 0)
    assert boot_id(ssh, fresh_host) == converged_boot
    # and the plan has nothing pending.
    plan = provision("plan", str(PLAYBOOK), "-i", inventory, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert f"{fresh_host.name}: up to date (0 changes)" in plan.out
    print(f"\nconverge {converge_s:.1f} s (one reboot), idempotent rerun {again_s:.1f} s")


def test_without_reboots_the_host_ends_reboot_pending_and_the_plan_says_so(
    lab: RunningLab, fresh_host: LabHost, ssh: SshRunner, provision: Provision, tmp_path: Path
) -> None:
    inventory = str(write_inventory(lab, fresh_host, tmp_path / "inventory"))
    first_boot = boot_id(ssh, fresh_host)
    result = provision("apply", str(PLAYBOOK), "-i", inventory, "--yes", "--no-reboot",
                       "--report", str(tmp_path / "report.json"))  # fmt: skip
    assert result.code == 3, result.out + result.err
    host = json.loads((tmp_path / "report.json").read_text())["hosts"][fresh_host.name]
    assert host["status"] == "reboot-pending" and host["reboots"] == 0
    assert boot_id(ssh, fresh_host) == first_boot
    # The host records the reboot it still needs, for this boot,
    marker = ssh(fresh_host, "cat /var/lib/provision/reboot-pending").stdout.splitlines()
    assert marker[0] == first_boot and "nouveau" in marker[1]
    # and every later plan shows it reboot-pending, with nothing else to do,
    for _ in range(2):
        plan = provision("plan", str(PLAYBOOK), "-i", inventory, "--detailed-exitcode")
        assert plan.code == 3
        assert "~ reboot host" in plan.out
        assert f"{fresh_host.name}: reboot-pending (" in plan.out and "1 to change" in plan.out
    # until the host reboots: then nothing is left.
    run_ssh(fresh_host, "nohup sh -c 'sleep 1; reboot' > /dev/null 2>&1 &")
    wait_for_new_boot(fresh_host, first_boot)
    plan = provision("plan", str(PLAYBOOK), "-i", inventory, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert f"{fresh_host.name}: up to date (0 changes)" in plan.out
