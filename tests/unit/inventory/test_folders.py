"""Walking inventory and vars folders: name order, and no symlink loop walked twice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provision.errors import InputError
from provision.input_limits import MAX_FOLDER_DEPTH
from provision.inventory.folders import folder_files


def everything(entry: Path) -> bool:
    return True


def test_files_come_in_name_order_with_sub_folders_where_they_sort(tmp_path: Path) -> None:
    for name in ("b.yaml", "a/z.yaml", "a/y.yaml", "c.yaml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    found = folder_files(tmp_path, everything, everything)
    assert [path.relative_to(tmp_path).as_posix() for path in found] == [
        "a/y.yaml", "a/z.yaml", "b.yaml", "c.yaml",
    ]  # fmt: skip


def test_symlink_loops_are_walked_once(tmp_path: Path) -> None:
    (tmp_path / "hosts.yaml").write_text("")
    (tmp_path / "a").mkdir()
    for name in ("b", "c", "d"):
        (tmp_path / "a" / name).symlink_to("..")
    assert folder_files(tmp_path, everything, everything) == [tmp_path / "hosts.yaml"]


def test_a_folder_linked_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "hosts.yaml").write_text("")
    (tmp_path / "z-link").symlink_to("real")
    assert folder_files(tmp_path, everything, everything) == [tmp_path / "real" / "hosts.yaml"]


def test_folders_nested_too_deep_are_an_error(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d"] * (MAX_FOLDER_DEPTH + 1))
    deep.mkdir(parents=True)
    with pytest.raises(InputError, match=f"folders nested more than {MAX_FOLDER_DEPTH} deep"):
        folder_files(tmp_path, everything, everything)


def test_a_fifo_and_unwanted_entries_are_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "hosts.yaml").write_text("")
    (tmp_path / "notes.md").write_text("")
    found = folder_files(tmp_path, everything, lambda entry: entry.suffix != ".md")
    assert found == [tmp_path / "hosts.yaml"]
