"""The path guards, run by the real `sh` on this machine's folders: what root accepts as
its own, and each way another account could have a hand in a path, refused by name."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from provision import shell
from provision.trusted_paths import REFUSED_EXIT, guarded, root_folder, trusted_tree
from tests.unit.connection.ci_requirements import require_root

NOBODY = 65534


def run(*lines: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", "-c", guarded(*lines)], capture_output=True, text=True)


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """A root-owned 0755 folder under /tmp (sticky, root's), as a system folder would be."""
    require_root("to own folders as other accounts")
    made = Path(tempfile.mkdtemp(prefix="provision-guard.", dir="/tmp"))
    made.chmod(0o755)
    try:
        yield made
    finally:
        subprocess.run(["rm", "-rf", str(made)], check=True)


def chain(path: Path, uid: int = 0) -> subprocess.CompletedProcess[str]:
    return run(shell.command("provision_chain", str(path), str(uid)))


def test_a_root_folder_below_a_sticky_one_is_root_s(folder: Path) -> None:
    result = chain(folder)
    assert (result.returncode, result.stdout) == (0, "0 755\n")


def test_a_folder_others_can_write_on_the_way_is_refused(folder: Path) -> None:
    inner = folder / "a" / "b"
    inner.mkdir(parents=True)
    (folder / "a").chmod(0o777)
    result = chain(inner)
    assert result.returncode == REFUSED_EXIT
    assert result.stderr == f"provision: {folder}/a is writable by other users (mode 777)\n"


def test_a_folder_of_root_s_group_may_be_group_writable(folder: Path) -> None:
    (folder / "shared").mkdir()
    (folder / "shared").chmod(0o775)
    assert chain(folder / "shared").returncode == 0


def test_a_folder_of_another_account_is_refused_unless_it_is_the_allowed_one(
    folder: Path,
) -> None:
    home = folder / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    refused = chain(home)
    assert refused.returncode == REFUSED_EXIT
    assert f"{home} is owned by uid {NOBODY}, not by root" in refused.stderr
    allowed = chain(home, NOBODY)
    assert (allowed.returncode, allowed.stdout) == (0, f"{NOBODY} 755\n")


def test_another_account_s_link_on_the_way_is_refused_and_root_s_is_followed(
    folder: Path,
) -> None:
    (folder / "real").mkdir()
    (folder / "root-link").symlink_to(folder / "real")
    assert chain(folder / "root-link").stdout == "0 755\n"
    (folder / "user-link").symlink_to(folder / "real")
    os.chown(folder / "user-link", NOBODY, NOBODY, follow_symlinks=False)
    result = chain(folder / "user-link")
    assert result.returncode == REFUSED_EXIT
    assert result.stderr.endswith(f"user-link is a symbolic link of uid {NOBODY}, not of root\n")


def test_root_s_own_folder_is_made_0700_and_tightened_but_never_taken_over(
    folder: Path,
) -> None:
    made = folder / "state" / "verify"
    assert run(root_folder(str(made))).returncode == 0
    assert (made.stat().st_mode & 0o777, (folder / "state").stat().st_mode & 0o777) == (
        0o700,
        0o700,
    )
    made.chmod(0o755)
    assert run(root_folder(str(made))).returncode == 0
    assert made.stat().st_mode & 0o777 == 0o700
    os.chown(made, NOBODY, NOBODY)
    result = run(root_folder(str(made)))
    assert result.returncode == REFUSED_EXIT
    assert f"{made} is owned by uid {NOBODY}" in result.stderr
    linked = folder / "linked"
    linked.symlink_to(folder / "state")
    assert "is a symbolic link" in run(root_folder(str(linked))).stderr


def test_a_tree_root_runs_from_must_hold_nothing_another_account_can_change(
    folder: Path,
) -> None:
    tree = folder / "conda" / "bin"
    tree.mkdir(parents=True)
    program = tree / "python"
    program.write_text("#!/bin/sh\n")
    assert run(trusted_tree(str(folder / "conda"))).returncode == 0
    program.chmod(0o666)
    result = run(trusted_tree(str(folder / "conda")))
    assert result.returncode == REFUSED_EXIT
    assert f"{program}, under {folder}/conda, belongs to or is writable by" in result.stderr
    program.chmod(0o644)
    os.chown(program, NOBODY, 0)
    assert run(trusted_tree(str(folder / "conda"))).returncode == REFUSED_EXIT


def test_a_refusal_stops_the_lines_after_it(folder: Path) -> None:
    marker = folder / "ran"
    result = run(shell.command("provision_chain", "/nonexistent", "0"),
                 shell.command("touch", str(marker)))  # fmt: skip
    assert result.returncode == REFUSED_EXIT and not marker.exists()
    assert result.stderr == "provision: /nonexistent does not exist\n"
