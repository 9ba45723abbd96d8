"""Fixtures for every test folder: the sandbox lab's (`lab`, `fresh_host`, `new_host`, `ssh`,
from provision's pytest plugin), the CLI run in-process, inventories for lab hosts, and a
lab host converged to the workstation playbook once per session (kept as a snapshot)."""

from __future__ import annotations

import sysconfig
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from provision.cli import main
from provision_lab.inventory_writer import LAB_GROUP, inventory_document
from provision_lab.lab import add_host, remove_host
from provision_lab.pytest_plugin import LabHost, RunningLab
from provision_lab.snapshots import take_snapshot

ROOT = Path(__file__).resolve().parents[1]
WORKSTATION = ROOT / "playbooks" / "workstation.yaml"
CONVERGED_SNAPSHOT = "workstation-converged"


@dataclass(frozen=True)
class CliResult:
    """What a CLI run left: its exit code and its two output streams."""

    code: int
    out: str
    err: str


CliRunner = Callable[..., CliResult]


def provision_program() -> str:
    """The `provision` console script of the environment running the tests, as a user's
    shell finds it after the README's set-up; never whatever else is on `PATH`."""
    script = Path(sysconfig.get_path("scripts")) / "provision"
    if not script.is_file():
        pytest.fail(f"provision is not installed in this environment: no {script}", pytrace=False)
    return str(script)


@pytest.fixture
def provision_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    """Run `provision ARGS...` in-process through the console script's `main`; return its
    exit code, stdout and stderr. The run is echoed so pytest shows it for a failed test.
    It runs in the test's own folder, so what a run writes beside it (a retry file) never
    lands in the repository."""
    monkeypatch.chdir(tmp_path)

    def run(*arguments: str) -> CliResult:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            main(list(arguments))
        captured = capsys.readouterr()
        print(f"\n$ provision {' '.join(arguments)}\n{captured.out}{captured.err}", end="")
        code = exited.value.code
        return CliResult(code if isinstance(code, int) else 1, captured.out, captured.err)

    return run


def lab_inventory(lab: RunningLab, hosts: LabHost | str | list[LabHost], folder: Path) -> Path:
    """An inventory folder for `hosts` alone (in the lab's group, which the workstation
    playbook targets), with the sandbox inventory's group_vars."""
    listed = hosts if isinstance(hosts, list) else [hosts]
    names = [host if isinstance(host, str) else host.name for host in listed]
    document = inventory_document(lab.paths, lab.state())
    group = document["all"]["children"][LAB_GROUP]
    group["hosts"] = {name: group["hosts"][name] for name in names}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hosts.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    (folder / "group_vars").symlink_to(ROOT / "inventories" / "sandbox" / "group_vars")
    return folder


@pytest.fixture(scope="session")
def converged_workstation(
    lab: RunningLab, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Converge a fresh lab host with `provision apply`, keep it as a snapshot (whose label
    this yields) for `new_host(snapshot=...)`, and remove the host."""
    name = add_host(lab.paths)
    try:
        inventory = lab_inventory(lab, name, tmp_path_factory.mktemp("converge"))
        with pytest.raises(SystemExit) as exited:
            main(["apply", str(WORKSTATION), "-i", str(inventory), "--yes"])
        assert exited.value.code == 0, "the workstation playbook must converge a fresh host"
        take_snapshot(lab.paths, name, CONVERGED_SNAPSHOT)
    finally:
        remove_host(lab.paths, name)
    yield CONVERGED_SNAPSHOT
