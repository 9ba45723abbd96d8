"""Golden cases per task: desired state + facts -> the task's changes, commands included.

Each `cases/<task>/<name>.json` holds `state` (a patch over the sandbox workstation
state), `facts` (`base`: `lab-STATE`, the facts recorded on a lab host in that state by
scripts/record_facts.py, or `fresh-host`, the recorded fresh host with a GPU on PCI;
`patch` merged into the facts) and `expected` (the changes, file contents as text).
Every task has an "already satisfied" case whose `expected` is empty. To add a case,
write its inputs, run `python tests/unit/resources/test_task_cases.py TASK/NAME` and
review what it writes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from host_facts import fresh_host, recorded, sandbox_workstation_document, state

from provision.facts.model import Facts
from provision.models import HostState
from provision.plan import Change
from provision.resources.apt_repository import plan_apt_repository
from provision.resources.conda import plan_conda, plan_conda_envs, plan_prune_envs
from provision.resources.cuda import plan_active_cuda, plan_cuda
from provision.resources.cudnn import plan_cudnn
from provision.resources.driver import plan_driver, plan_purge
from provision.resources.libtorch import plan_libtorch
from provision.resources.nouveau import plan_nouveau
from provision.resources.pytorch import plan_pytorch
from provision.resources.shell_profile import plan_shell_profile
from provision.tasks.reboot import plan_reboot

CASES = Path(__file__).parent / "cases"
Task = Callable[[HostState, Facts], list[Change]]


def _envs(desired: HostState, facts: Facts) -> list[Change]:
    return plan_conda_envs(desired, facts) + plan_prune_envs(desired, facts)


TASKS: dict[str, Task] = {
    "nouveau": plan_nouveau,
    "driver-purge": plan_purge,
    "driver": plan_driver,
    "apt-repository": plan_apt_repository,
    "reboot": plan_reboot,
    "cuda": plan_cuda,
    "cudnn": plan_cudnn,
    "active-cuda": plan_active_cuda,
    "shell-profile": plan_shell_profile,
    "conda": plan_conda,
    "conda-env": _envs,
    "pytorch": plan_pytorch,
    "libtorch": plan_libtorch,
}


def case_paths() -> list[Path]:
    return sorted(CASES.glob("*/*.json"))


def _inputs(case: dict[str, Any]) -> tuple[HostState, Facts]:
    spec = case["facts"]
    desired = state(case.get("state", {}))
    if spec["base"] == "fresh-host":
        return desired, fresh_host(spec.get("patch"))
    return desired, recorded(spec["base"].removeprefix("lab-"), spec.get("patch"))


def golden(changes: list[Change]) -> list[dict[str, Any]]:
    """Changes as JSON, with file contents as text so a reviewer can read them."""
    dumped = []
    for change in changes:
        document = change.model_dump(mode="json")
        for action, original in zip(document["actions"], change.actions, strict=True):
            for field in ("content", "block"):
                if field in action:
                    action[field] = getattr(original, field).decode()
        dumped.append(document)
    return dumped


def plan_case(path: Path) -> list[dict[str, Any]]:
    case = json.loads(path.read_text())
    desired, facts = _inputs(case)
    return golden(TASKS[path.parent.name](desired, facts))


@pytest.mark.parametrize("path", case_paths(), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_case(path: Path) -> None:
    expected = json.loads(path.read_text())["expected"]
    assert plan_case(path) == expected


def test_every_task_has_cases_including_satisfied() -> None:
    for task in TASKS:
        cases = [json.loads(path.read_text()) for path in (CASES / task).glob("*.json")]
        assert len(cases) >= 2, task
        assert any(case["expected"] == [] for case in cases), f"{task}: no satisfied case"
        assert any(case["expected"] for case in cases), f"{task}: no case with changes"


def test_sandbox_state_renders_from_the_playbook() -> None:
    document = sandbox_workstation_document()
    assert document["sources"]["apt_repository"].startswith("deb [trusted=yes] http://127.0.0.1")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        target = CASES / f"{name}.json"
        data = json.loads(target.read_text())
        data["expected"] = plan_case(target)
        target.write_text(json.dumps(data, indent=2) + "\n")
        print(f"wrote {target}")
