"""Lab fixtures (`lab`, `fresh_host`, `ssh`) come from provision's pytest plugin; `second_lab`
is a further lab dir for tests that bring a whole lab up and down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from provision_lab.lab import down
from provision_lab.paths import LabPaths
from provision_lab.pytest_plugin import RunningLab, fresh_host, lab, new_host, ssh

__all__ = ["fresh_host", "lab", "new_host", "second_lab", "ssh"]


@pytest.fixture
def second_lab(lab: RunningLab, tmp_path: Path) -> Iterator[LabPaths]:
    """Another lab dir sharing the session's base image and mirror (no new debootstrap)."""
    paths = LabPaths.at(tmp_path / "second-lab")
    paths.root.mkdir()
    paths.base.symlink_to(lab.paths.base.resolve())
    paths.mirror.symlink_to(lab.paths.mirror.resolve())
    try:
        yield paths
    finally:
        down(paths)
