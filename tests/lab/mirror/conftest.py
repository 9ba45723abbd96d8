"""Fixtures for the lab mirror tests: one built mirror per session, throwaway roots, helpers.

The mirror is built (or reused, by recipe hash) where the session lab serves it from, so one
test session builds it once and repeated runs are warm. Root tests install into a throwaway
root: a private mount namespace holding an overlay of this machine's `/` on a tmpfs, so
nothing they install reaches the machine, and every mount goes away with the namespace (this
machine's kernel may have no /proc/modules, so /proc there is a tmpfs of simulated files).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from provision_lab.mirror import MirrorBuild, build_mirror
from provision_lab.paths import LabPaths
from provision_lab.pytest_plugin import DEFAULT_TEST_DIR

# The same folder the session lab serves, so one test session builds the mirror once.
TEST_MIRROR = LabPaths.at(
    Path(os.environ.get("PROVISION_LAB_TEST_DIR", DEFAULT_TEST_DIR))
).mirror_content

SANDBOX_SCRIPT = r"""
set -e
scratch="$SCRATCH"
mount -t tmpfs tmpfs "$scratch"
mkdir "$scratch/upper" "$scratch/work" "$scratch/root"
layers="lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work"
mount -t overlay overlay -o "$layers" "$scratch/root"
mount -t tmpfs tmpfs "$scratch/root/dev"
for node in null zero urandom random; do
    touch "$scratch/root/dev/$node"
    mount --bind "/dev/$node" "$scratch/root/dev/$node"
done
mount -t tmpfs tmpfs "$scratch/root/proc"
mkdir -p "$scratch/root/proc/driver"
printf '%s\n' "${LOADED_MODULES:-bochs_drm 20480 0 - Live 0x0}" > "$scratch/root/proc/modules"
mount -t tmpfs tmpfs "$scratch/root/tmp"
mkdir -p "$scratch/root/mirror"
mount --bind -o ro "$MIRROR" "$scratch/root/mirror"
exec chroot "$scratch/root" /bin/sh -c "$SCRIPT"
"""

RunInRoot = Callable[..., subprocess.CompletedProcess[str]]


def require_root() -> None:
    """Skip without root on a developer machine; in CI a root test that cannot run fails."""
    if os.geteuid() == 0:
        return
    if os.environ.get("CI"):
        pytest.fail("lab mirror root tests must run as root in CI")
    pytest.skip("needs root (private mount namespace, overlay, chroot); run as root")


@pytest.fixture(scope="session")
def mirror() -> MirrorBuild:
    """The lab mirror, built once (or reused by recipe hash)."""
    return build_mirror(TEST_MIRROR)


@pytest.fixture(scope="session")
def mirror_root(mirror: MirrorBuild) -> Path:
    return Path(mirror.root)


@pytest.fixture
def run_in_throwaway_root(mirror_root: Path, tmp_path: Path) -> RunInRoot:
    """Run a shell script as root in a throwaway copy of this machine's root.

    The mirror is mounted read-only at `/mirror`. `/proc` is a tmpfs standing in for the
    lab's simulated procfs: `/proc/modules` lists `loaded_modules` and `/proc/driver` is
    empty for the script to fill (as the lab's boot does).
    """
    require_root()

    def run(script: str, loaded_modules: str = "") -> subprocess.CompletedProcess[str]:
        scratch = tmp_path / f"sandbox-{len(list(tmp_path.glob('sandbox-*')))}"
        scratch.mkdir()
        environment = {
            **os.environ,
            "SCRATCH": str(scratch),
            "MIRROR": str(mirror_root),
            "SCRIPT": script,
            "LOADED_MODULES": loaded_modules,
        }
        command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", SANDBOX_SCRIPT]
        return subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=300, check=False
        )

    return run


@pytest.fixture
def find_deb(mirror_root: Path) -> Callable[..., Path]:
    """`find_deb(name, version_part="")`: the one `.deb` of a package (and version)."""

    def find(name: str, version_part: str = "") -> Path:
        matches = sorted((mirror_root / "apt").glob(f"{name}_*{version_part}*_amd64.deb"))
        assert len(matches) == 1, f"expected one {name} {version_part} deb, found {matches}"
        return matches[0]

    return find


@pytest.fixture
def unpack_debs(tmp_path: Path, find_deb: Callable[..., Path]) -> Callable[..., Path]:
    """`unpack_debs((name, version_part), ...)`: their files under one fresh folder."""

    def unpack(*packages: tuple[str, str]) -> Path:
        root = tmp_path / "unpacked"
        for name, version_part in packages:
            subprocess.run(
                ["dpkg-deb", "-x", str(find_deb(name, version_part)), str(root)], check=True
            )
        return root

    return unpack
