"""A described file tree (files with modes, symlinks), written to disk in one place.

Stand-in packages, runfile payloads and tarballs are all described as trees first (pure
data), so the same description feeds a `.deb`, a `.run` installer and a tarball alike.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ASSETS = Path(__file__).parent / "assets"
_PLACEHOLDER = re.compile(r"@[A-Z][A-Z_]*@")


@dataclass(frozen=True)
class TreeFile:
    """One regular file: its bytes and permission bits."""

    content: bytes
    mode: int = 0o644


@dataclass
class FileTree:
    """Files and symlinks keyed by their path relative to the tree root (no leading `/`)."""

    files: dict[str, TreeFile] = field(default_factory=dict)
    symlinks: dict[str, str] = field(default_factory=dict)

    def merged(self, other: FileTree) -> FileTree:
        """A new tree holding both; `other` wins where a path is in both."""
        return FileTree({**self.files, **other.files}, {**self.symlinks, **other.symlinks})


def render_asset(name: str, values: Mapping[str, str]) -> str:
    """An asset with every `@KEY@` replaced; a placeholder left unfilled is a bug."""
    text = (ASSETS / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    leftover = _PLACEHOLDER.search(text)
    if leftover is not None:
        raise ValueError(f"asset {name}: placeholder {leftover.group(0)} has no value")
    return text


def write_tree(tree: FileTree, root: Path) -> None:
    """Write the tree under `root`, creating folders; existing paths are replaced."""
    for relative, item in sorted(tree.files.items()):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.content)
        path.chmod(item.mode)
    for relative, target in sorted(tree.symlinks.items()):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.exists():
            path.unlink()
        os.symlink(target, path)
