"""A fleet of twenty fresh lab hosts converges in parallel, while an unreachable host in
the same inventory is reported and the others carry on; the no-op rerun of the twenty
costs each host one SSH connection and two commands, and takes a small multiple of one
host's no-op run (both `provision apply` processes are timed as a user sees them, start-up
included, and printed: timings are figures, not assertions).

The play is the fleet playbook (driver, toolkits, cuDNN, active CUDA: no PyTorch env or
libtorch, to keep the scenario's time sane); the full workstation converges in
test_workstation_converge. It runs without `serial:` so all twenty go at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from provision_lab.pytest_plugin import LabHost, RunningLab
from provision_lab.sshd_log import count_sessions
from tests.conftest import ROOT
from tests.scenarios.conftest import Provision, write_inventory

pytestmark = pytest.mark.lab

FLEET_SIZE = 20
UNREACHABLE = "gpu-down"


def fleet_playbook(folder: Path) -> Path:
    """The fleet playbook, all hosts in one batch."""
    plays = yaml.safe_load((ROOT / "playbooks" / "fleet.yaml").read_text())
    del plays[0]["serial"]
    path = folder / "fleet.yaml"
    path.write_text(yaml.safe_dump(plays, sort_keys=False))
    return path


def add_unreachable_host(inventory: Path) -> None:
    """A host on a loopback port nothing listens on (refused), in the same group."""
    document = yaml.safe_load((inventory / "hosts.yaml").read_text())
    group = next(iter(document["all"]["children"].values()))
    model = dict(next(iter(group["hosts"].values())))
    group["hosts"][UNREACHABLE] = {**model, "ansible_port": 9}
    (inventory / "hosts.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


def sshd_log_sizes(hosts: list[LabHost]) -> dict[str, int]:
    return {host.name: sshd_log(host).stat().st_size for host in hosts}


def sshd_log(host: LabHost) -> Path:
    return host.paths.host(host.name).sshd_log


def timed(provision: Provision, *arguments: str) -> tuple[float, int, str]:
    started = time.monotonic()
    result = provision(*arguments)
    return time.monotonic() - started, result.code, result.out + result.err


def timed_command(*arguments: str) -> tuple[float, int, str]:
    """`provision ARGS` as its own process, as a user runs it (start-up included)."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "provision", *arguments], capture_output=True, text=True
    )
    return time.monotonic() - started, result.returncode, result.stdout + result.stderr


def test_twenty_hosts_converge_in_parallel_beside_an_unreachable_one(
    lab: RunningLab, new_host: Callable[..., LabHost], provision: Provision, tmp_path: Path
) -> None:
    fleet = [new_host() for _ in range(FLEET_SIZE)]
    inventory = write_inventory(lab, fleet, tmp_path / "inventory")
    add_unreachable_host(inventory)
    playbook = fleet_playbook(tmp_path)
    report = tmp_path / "converge.json"
    # Given twenty fresh hosts and one that refuses connections, when the fleet converges
    # with as many forks as hosts,
    converge_s, code, output = timed(
        provision, "apply", str(playbook), "-i", str(inventory), "--yes",
        "--forks", str(FLEET_SIZE + 1), "--report", str(report),
    )  # fmt: skip
    # then the run fails for the unreachable host alone, which it names,
    assert code == 1, output
    hosts = json.loads(report.read_text())["hosts"]
    assert hosts[UNREACHABLE]["status"] == "unreachable"
    assert "refused" in hosts[UNREACHABLE]["error"]
    assert (tmp_path / "fleet.retry").read_text() == f"{UNREACHABLE}\n"
    # and every other host converged: new driver, one reboot, checked by the canary check.
    for host in fleet:
        entry = hosts[host.name]
        assert (entry["status"], entry["reboots"]) == ("changed", 1), (host.name, entry)
        assert any(note.startswith("canary check") for note in entry["notes"])
    # The hosts ran side by side: their apply phases overlap in time.
    longest = max(hosts[host.name]["duration_s"] for host in fleet)
    summed = sum(hosts[host.name]["duration_s"] for host in fleet)
    assert longest < summed / 2, "hosts were converged one after another"

    # When the fleet is applied again, without the unreachable host,
    limit = f"all:!{UNREACHABLE}"
    before = sshd_log_sizes(fleet)
    fleet_noop_s, code, output = timed_command(
        "apply", str(playbook), "-i", str(inventory), "--yes", "--limit", limit,
        "--forks", str(FLEET_SIZE), "--report", str(tmp_path / "noop.json"),
    )  # fmt: skip
    # nothing changes, and each host cost one connection and two commands (lock + facts,
    # record + unlock).
    assert code == 0, output
    noop = json.loads((tmp_path / "noop.json").read_text())
    assert noop["summary"]["ok"] == FLEET_SIZE and noop["summary"]["changes"] == 0
    for host in fleet:
        log = sshd_log(host).read_bytes()[before[host.name] :].decode(errors="replace")
        counts = count_sessions(log)
        assert (counts.connections, counts.exec_requests) == (1, 2), host.name
    one = fleet[0]
    one_noop_s, code, output = timed_command(
        "apply", str(playbook), "-i", str(inventory), "--yes", "--limit", one.name
    )
    assert code == 0, output
    print(
        f"\nconverge {FLEET_SIZE} hosts: {converge_s:.1f} s; no-op `provision apply` of "
        f"{FLEET_SIZE} hosts: {fleet_noop_s:.2f} s; of 1 host: {one_noop_s:.2f} s; "
        f"ratio {fleet_noop_s / one_noop_s:.2f} (issue 7 expects under 3)"
    )
