"""Folders the desired state names but provision did not fill are never replaced: a libtorch
path without `build-version`, a conda prefix without conda; and the GPU check runs once."""

from __future__ import annotations

import shlex
import subprocess
import zipfile
from pathlib import Path

import pytest
from host_facts import fresh_host, state

import provision.reconcile
from provision.artifacts import libtorch_url
from provision.compat import Finding, check_gpus
from provision.models import HostState
from provision.plan import Command
from provision.reconcile import reconcile
from provision.resources.libtorch import build_version, plan_libtorch
from provision.tasks.commands import cached_path


def test_a_libtorch_folder_without_build_version_is_reported_and_not_replaced() -> None:
    plan = reconcile(state(), fresh_host({"libtorch": {"exists": True}}))
    assert "libtorch" not in [change.task for change in plan.changes]
    (finding,) = [item for item in plan.unmanaged if item.kind == "libtorch"]
    assert finding.resource == "/opt/libtorch" and "no build-version" in finding.detail
    assert any(warning.startswith("/opt/libtorch: ") for warning in plan.warnings)


def test_a_libtorch_of_another_build_is_upgraded() -> None:
    facts = fresh_host({"libtorch": {"exists": True, "build_version": "2.1.0+cpu"}})
    plan = reconcile(state(), facts)
    assert [c.before for c in plan.changes if c.task == "libtorch"] == ["2.1.0+cpu"]
    assert not [item for item in plan.unmanaged if item.kind == "libtorch"]


def test_a_foreign_conda_prefix_gets_no_installer_env_or_pytorch() -> None:
    plan = reconcile(state(), fresh_host({"conda": {"exists": True}}))
    tasks = {change.task for change in plan.changes}
    assert not tasks & {"conda", "conda-env", "pytorch"}
    assert "libtorch" in tasks
    (finding,) = [item for item in plan.unmanaged if item.kind == "conda-prefix"]
    assert finding.resource == "/opt/conda" and "no conda install" in finding.detail
    assert not any(" -u " in action.command for c in plan.changes for action in _commands(c))


def _commands(change: object) -> list[Command]:
    return [action for action in getattr(change, "actions", ()) if isinstance(action, Command)]


def test_the_gpu_check_runs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def counted(desired: HostState, names: list[str]) -> list[Finding]:
        calls.append(1)
        return check_gpus(desired, names)

    monkeypatch.setattr(provision.reconcile, "check_gpus", counted)
    reconcile(state(), fresh_host())
    assert len(calls) == 1


def _unpack_line(target: Path, archive: Path) -> str:
    """The plan's unpack command for a libtorch of another build at `target`, reading
    `archive` instead of the download cache."""
    desired = state()
    assert desired.libtorch is not None
    libtorch = desired.libtorch.model_copy(update={"path": str(target)})
    desired = desired.model_copy(update={"libtorch": libtorch})
    facts = fresh_host(
        {"libtorch": {"path": str(target), "exists": True, "build_version": "2.1.0+cpu"}}
    )
    (change,) = plan_libtorch(desired, facts)
    unpack = change.actions[-1]
    assert isinstance(unpack, Command)
    cached = shlex.quote(cached_path(libtorch_url(desired, libtorch)))
    assert cached in unpack.command
    return unpack.command.replace(cached, shlex.quote(str(archive)))


def _wanted_build() -> str:
    libtorch = state().libtorch
    assert libtorch is not None
    return build_version(libtorch)


def _archive(path: Path, build: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("libtorch/build-version", build + "\n")
        archive.writestr("libtorch/share/cmake/Torch/TorchConfig.cmake", "# stand-in\n")
    return path


def test_the_unpack_replaces_a_libtorch_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "libtorch"
    (target / "lib").mkdir(parents=True)
    (target / "build-version").write_text("2.1.0+cpu\n")
    line = _unpack_line(target, _archive(tmp_path / "new.zip", _wanted_build()))
    subprocess.run(["sh", "-c", line], check=True)
    assert (target / "build-version").read_text() == _wanted_build() + "\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["libtorch", "new.zip"]


def test_the_unpack_fails_rather_than_move_a_folder_that_is_not_a_libtorch(
    tmp_path: Path,
) -> None:
    target = tmp_path / "libtorch"
    target.mkdir()
    (target / "thesis.tex").write_text("years of work\n")
    line = _unpack_line(target, _archive(tmp_path / "new.zip", _wanted_build()))
    result = subprocess.run(["sh", "-c", line], check=False)
    assert result.returncode != 0
    assert (target / "thesis.tex").read_text() == "years of work\n"
