"""Building the mirror: cached by recipe hash, rebuilt atomically beside the destination,
with the expensive libtorch zip and wheels carried over when their inputs did not change."""

from __future__ import annotations

from pathlib import Path

import pytest

from provision.errors import ProvisionError
from provision_lab.mirror import MirrorBuild, build_mirror, recipe_hash


def test_a_matching_stamp_is_reused(mirror: MirrorBuild) -> None:
    again = build_mirror(Path(mirror.root))
    assert again.cached
    assert (
        again.recipe == recipe_hash() == (Path(mirror.root) / ".mirror-recipe").read_text().strip()
    )


def test_a_stale_stamp_rebuilds_atomically_and_keeps_libtorch(mirror: MirrorBuild) -> None:
    root = Path(mirror.root)
    zip_inode = (root / mirror.libtorch_zip).stat().st_ino
    (root / ".mirror-recipe").write_text("stale\n")
    (root / "apt" / "leftover.deb").write_bytes(b"not a package")

    rebuilt = build_mirror(root)

    assert not rebuilt.cached
    assert (root / ".mirror-recipe").read_text().strip() == recipe_hash()
    assert not (root / "apt" / "leftover.deb").exists()
    assert (root / mirror.libtorch_zip).stat().st_ino == zip_inode
    siblings = [
        path.name for path in root.parent.iterdir() if path.name.startswith(f".{root.name}.")
    ]
    assert siblings == [f".{root.name}.lock"]


def test_layout_is_relative_to_the_root(mirror: MirrorBuild) -> None:
    root = Path(mirror.root)
    for relative in (
        mirror.apt,
        mirror.runfiles,
        mirror.cudnn,
        mirror.wheels,
        mirror.libtorch,
        mirror.conda,
        mirror.wheels_simple_index,
    ):
        assert (root / relative).is_dir(), relative
    assert (root / mirror.libtorch_zip).is_file()
    assert (root / mirror.miniconda_installer).is_file()


def test_an_unwritable_destination_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ProvisionError, match=r"cannot build the lab mirror in .*/file/mirror"):
        build_mirror(blocker / "mirror")
