"""Scenario fixtures: the session lab and fresh hosts, an inventory for any lab host (with
the sandbox group_vars and the group the workstation playbook targets), and the CLI run
in-process with `plan` and `apply` registered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from provision.cli import main
from provision.lab.inventory_writer import LAB_GROUP, inventory_document
from provision.lab.pytest_plugin import LabHost, RunningLab, fresh_host, lab, new_host, ssh

__all__ = ["fresh_host", "lab", "new_host", "ssh"]

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "playbooks" / "workstation.yaml"


@dataclass(frozen=True)
class Result:
    """What a CLI run left: exit code, stdout, stderr."""

    code: int
    out: str
    err: str


Provision = Callable[..., Result]


@pytest.fixture
def provision(capsys: pytest.CaptureFixture[str]) -> Provision:
    """`provision(*arguments)`: run the CLI in-process; its output is printed again, so
    pytest shows it for a failed test (and with `-s`)."""

    def run(*arguments: str) -> Result:
        with pytest.raises(SystemExit) as exited:
            main(list(arguments))
        captured = capsys.readouterr()
        code = exited.value.code
        print(f"\n$ provision {' '.join(arguments)}\n{captured.out}{captured.err}", end="")
        return Result(code if isinstance(code, int) else 1, captured.out, captured.err)

    return run


def write_inventory(lab: RunningLab, hosts: LabHost | list[LabHost], folder: Path) -> Path:
    """An inventory folder for `hosts` only (in the lab's group, which the workstation
    playbook targets), with the sandbox group_vars."""
    names = [host.name for host in (hosts if isinstance(hosts, list) else [hosts])]
    document = inventory_document(lab.paths, lab.state())
    group = document["all"]["children"][LAB_GROUP]
    group["hosts"] = {name: group["hosts"][name] for name in names}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hosts.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    (folder / "group_vars").symlink_to(ROOT / "inventories" / "sandbox" / "group_vars")
    return folder
