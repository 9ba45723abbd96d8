"""Verify's lab fixtures: one host converged once per module (its upper dir kept as a
snapshot), hosts started from that snapshot to break one thing each, and the CLI run
in-process with `apply` and `verify` registered."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from provision.cli import main
from provision.lab.inventory_writer import LAB_GROUP, inventory_document
from provision.lab.lab import add_host, remove_host
from provision.lab.pytest_plugin import LabHost, RunningLab
from provision.lab.snapshots import take_snapshot

ROOT = Path(__file__).resolve().parents[3]
PLAYBOOK = ROOT / "playbooks" / "workstation.yaml"
SNAPSHOT = "verify-converged"


@dataclass(frozen=True)
class Result:
    """What a CLI run left: exit code, stdout, stderr."""

    code: int
    out: str
    err: str


Provision = Callable[..., Result]


@pytest.fixture
def provision(capsys: pytest.CaptureFixture[str]) -> Provision:
    """`provision(*arguments)`: run the CLI in-process; its output is echoed for the log."""

    def run(*arguments: str) -> Result:
        with pytest.raises(SystemExit) as exited:
            main(list(arguments))
        captured = capsys.readouterr()
        with capsys.disabled():
            print(f"\n$ provision {' '.join(arguments)}\n{captured.out}{captured.err}", end="")
        code = exited.value.code
        return Result(code if isinstance(code, int) else 1, captured.out, captured.err)

    return run


def write_inventory(lab: RunningLab, name: str, folder: Path) -> Path:
    """An inventory folder for host `name` alone, with the sandbox group_vars."""
    document = inventory_document(lab.paths, lab.state())
    group = document["all"]["children"][LAB_GROUP]
    group["hosts"] = {name: group["hosts"][name]}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hosts.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    (folder / "group_vars").symlink_to(ROOT / "inventories" / "sandbox" / "group_vars")
    return folder


def _converge(inventory: Path) -> None:
    with pytest.raises(SystemExit) as applied:
        main(["apply", str(PLAYBOOK), "-i", str(inventory), "--yes"])
    assert applied.value.code == 0, "the lab host did not converge"


@pytest.fixture(scope="module")
def converged_snapshot(lab: RunningLab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The label of a snapshot of a host converged to the workstation playbook."""
    name = add_host(lab.paths)
    try:
        started = time.monotonic()
        _converge(write_inventory(lab, name, tmp_path_factory.mktemp("converge")))
        print(f"\nconverged {name} in {time.monotonic() - started:.1f} s")
        take_snapshot(lab.paths, name, SNAPSHOT)
    finally:
        remove_host(lab.paths, name)
    yield SNAPSHOT


@pytest.fixture
def converged_host(
    lab: RunningLab, converged_snapshot: str, new_host: Callable[..., LabHost], tmp_path: Path
) -> tuple[LabHost, Path]:
    """A new host started from the converged snapshot, and an inventory for it alone."""
    host = new_host(snapshot=converged_snapshot)
    return host, write_inventory(lab, host.name, tmp_path / "inventory")
