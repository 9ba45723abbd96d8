"""Walking an inventory folder or a vars folder: every wanted file, in name order.

Sub-folders are walked where they sort, depth first, as Ansible reads them. A folder
reached again (a symlink to a parent, `a/b -> ..`, or the same folder linked twice) is
walked once, and folders nested past MAX_FOLDER_DEPTH are an error, so a symlink loop can
neither hang a command nor read the same files over and over.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from provision.errors import InputError
from provision.input_limits import MAX_FOLDER_DEPTH

Wanted = Callable[[Path], bool]


def folder_files(folder: Path, wanted_folder: Wanted, wanted_file: Wanted) -> list[Path]:
    """The files under `folder` that `wanted_file` accepts, in the folders `wanted_folder`
    accepts, in name order; anything neither a file nor a folder (a FIFO) is skipped."""
    files: list[Path] = []
    _walk(folder, wanted_folder, wanted_file, {os.path.realpath(folder)}, files, 0)
    return files


def _walk(
    folder: Path, wanted_folder: Wanted, wanted_file: Wanted, seen: set[str], files: list[Path],
    depth: int,
) -> None:  # fmt: skip
    if depth >= MAX_FOLDER_DEPTH:
        raise InputError(f"{folder}: folders nested more than {MAX_FOLDER_DEPTH} deep")
    try:
        entries = sorted(folder.iterdir(), key=lambda item: item.name)
    except OSError as error:
        raise InputError(f"{folder}: cannot read the folder: {error.strerror}") from None
    for entry in entries:
        if entry.is_dir() and wanted_folder(entry):
            real = os.path.realpath(entry)
            if real not in seen:
                seen.add(real)
                _walk(entry, wanted_folder, wanted_file, seen, files, depth + 1)
        elif entry.is_file() and wanted_file(entry):
            files.append(entry)
