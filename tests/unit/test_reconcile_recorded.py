"""`reconcile` on facts recorded on sandbox lab hosts (`scripts/record_facts.py`), against
the workstation state those hosts were applied with: nothing is built by the product, so
a wrong package name, path or version format shows here as a plan that does not settle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from provision.facts import Facts, parse_facts
from provision.models import HostState, parse_host_state
from provision.plan import Plan
from provision.playbook import load_playbook
from provision.reconcile import reconcile
from provision.templating import VariableResolver

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests/unit/facts/cases"
RUNFILES = {"driver_source": "runfile", "cuda_toolkit_source": "runfile"}


def workstation(**extra_vars: str) -> HostState:
    """The sandbox workstation state, rendered with the recorded lab's mirror variables."""
    play = load_playbook(ROOT / "playbooks/workstation.yaml").plays[0]
    group_vars = yaml.safe_load((ROOT / "inventories/sandbox/group_vars/all.yaml").read_text())
    lab_vars = json.loads((CASES.parent / "lab-recorded.json").read_text())["lab_vars"]
    variables: dict[str, Any] = {**play.vars, **group_vars, **lab_vars, **extra_vars}
    rendered = VariableResolver(variables).render(play.state, "state")
    return parse_host_state(rendered, "the recorded lab's workstation state")


def recorded(state: str) -> Facts:
    return parse_facts((CASES / f"lab-{state}.out").read_bytes(), "KEY")


def plan(state: str, desired: HostState | None = None) -> Plan:
    return reconcile(desired or workstation(), recorded(state), host="lab-01")


def changed(result: Plan) -> list[tuple[str, str]]:
    return [(change.task, change.resource) for change in result.changes]


def test_the_host_the_workstation_converged_plans_nothing() -> None:
    result = plan("converged")
    assert result.refused is None
    assert changed(result) == []
    assert result.unmanaged == ()


def test_the_host_converged_with_runfiles_plans_nothing() -> None:
    result = plan("runfile-converged", workstation(**RUNFILES))
    assert result.refused is None
    assert changed(result) == []


def test_a_fresh_host_gets_every_resource() -> None:
    tasks = {task for task, _ in changed(plan("fresh"))}
    assert tasks >= {
        "nouveau", "apt-repository", "driver", "reboot", "cuda", "cudnn", "active-cuda",
        "shell-profile", "conda", "conda-env", "pytorch", "libtorch",
    }  # fmt: skip


def test_a_host_applied_without_its_reboot_plans_only_the_reboot() -> None:
    assert [task for task, _ in changed(plan("installed-not-rebooted"))] == ["reboot"]


def test_drift_by_hand_is_planned_back_and_nothing_else() -> None:
    assert sorted(changed(plan("drifted"))) == [
        ("active-cuda", "/usr/local/cuda"),
        ("cuda", "/usr/local/cuda-11.7"),
        ("shell-profile", "/home/ops/.bashrc"),
    ]


@pytest.mark.xfail(
    strict=True,
    reason="found by these recordings: the apt driver's module counts as the runfile driver "
    "installed, so the runfile is installed only on the next run, after the purge (issue 19)",
)
def test_switching_an_apt_host_to_the_runfile_driver_installs_it_in_the_same_run() -> None:
    tasks = {task for task, _ in changed(plan("converged", workstation(**RUNFILES)))}
    assert {"driver-purge", "driver"} <= tasks
