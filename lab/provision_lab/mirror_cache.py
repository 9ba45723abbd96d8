"""Builds the lab mirror's contents (once: the builder keeps its own recipe stamp).

The contents come from `provision_lab.mirror.build_mirror` (stand-in NVIDIA packages,
installers, wheelhouse...). Until that builder exists the mirror is an empty folder.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from provision_lab.paths import LabPaths

MIRROR_PACKAGE = "provision_lab.mirror"


class MirrorContents(Protocol):
    """What the lab needs from a built mirror: the apt source line for its URL."""

    def apt_source_line(self, base_url: str) -> str:
        """The one-line apt source of the mirror served at `base_url`."""
        ...


@dataclass(frozen=True)
class EmptyMirror:
    """The mirror before its builder exists: an empty folder (apt finds no repository)."""

    root: Path

    def apt_source_line(self, base_url: str) -> str:
        """The apt source the mirror will have: an unsigned flat repository under /apt."""
        return f"deb [trusted=yes] {base_url.rstrip('/')}/apt ./"


def build_mirror_contents(paths: LabPaths) -> MirrorContents:
    """Build (or reuse) the mirror's contents under the lab dir; return the build."""
    paths.mirror_content.mkdir(parents=True, exist_ok=True)
    try:
        module = importlib.import_module(MIRROR_PACKAGE)
    except ModuleNotFoundError as error:
        if error.name != MIRROR_PACKAGE:
            raise
        return EmptyMirror(paths.mirror_content)
    builder = getattr(module, "build_mirror", None)
    if builder is None:
        return EmptyMirror(paths.mirror_content)
    build: MirrorContents = builder(paths.mirror_content)
    return build
