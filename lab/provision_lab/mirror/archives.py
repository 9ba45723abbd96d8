"""Deterministic tar archives of described file trees (fixed owners and times)."""

from __future__ import annotations

import io
import tarfile

from provision_lab.mirror.file_tree import FileTree


def _folders(tree: FileTree) -> list[str]:
    folders: set[str] = set()
    for path in (*tree.files, *tree.symlinks):
        parts = path.split("/")[:-1]
        folders.update("/".join(parts[: index + 1]) for index in range(len(parts)))
    return sorted(folders)


def _open(buffer: io.BytesIO, compression: str) -> tarfile.TarFile:
    if compression == "gz":
        return tarfile.open(fileobj=buffer, mode="w:gz")
    return tarfile.open(fileobj=buffer, mode="w:xz")


def tar_tree(tree: FileTree, compression: str) -> bytes:
    """The tree as a tar archive compressed with `gz` or `xz`, entries in sorted order."""
    buffer = io.BytesIO()
    with _open(buffer, compression) as archive:
        for folder in _folders(tree):
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            archive.addfile(info)
        for path, item in sorted(tree.files.items()):
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(item.content), item.mode
            archive.addfile(info, io.BytesIO(item.content))
        for path, target in sorted(tree.symlinks.items()):
            info = tarfile.TarInfo(path)
            info.type, info.linkname, info.mode = tarfile.SYMTYPE, target, 0o777
            archive.addfile(info)
    return buffer.getvalue()
