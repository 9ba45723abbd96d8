"""Builds the whole mirror folder, offline, cached by recipe hash and swapped in atomically.

The recipe is the hash of this package's sources and assets (which hold every version and
every stand-in). A stamp file in the mirror records it; when it matches, nothing is rebuilt.
Otherwise the mirror is built in a folder beside the destination and renamed into place, so
a reader never sees a half-built mirror. Downloaded wheels and the assembled libtorch zip
are carried over from the previous build when their inputs did not change.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from provision.errors import ProvisionError
from provision_lab.mirror import catalog, layout
from provision_lab.mirror.apt_repository import build_apt_repository, build_archive
from provision_lab.mirror.conda_installer import (
    LATEST_INSTALLER_NAME,
    miniconda_installer,
    versioned_installer_name,
)
from provision_lab.mirror.cuda_wheels import download_toolkit_wheels, unpack_toolkit
from provision_lab.mirror.cudnn_archives import build_cudnn_archives
from provision_lab.mirror.debian_packages import all_packages, debian_archive_packages
from provision_lab.mirror.kernel_module import build_kernel_module
from provision_lab.mirror.layout import MirrorBuild
from provision_lab.mirror.libtorch_archive import build_libtorch_zip
from provision_lab.mirror.runfiles import cuda_runfile, driver_runfile
from provision_lab.mirror.wheelhouse import download_wheels

PACKAGE_DIR = Path(__file__).parent
LIBTORCH_KEY = ".mirror-libtorch-source"
CUDA_WHEELS = ".cuda-wheels"
"""NVIDIA's CUDA wheels the real toolkits are made of (kept, not served by any URL)."""


def recipe_hash() -> str:
    """sha256 over this package's sources and assets, in path order (docs excluded)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".md":
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def describe(root: Path, recipe: str, cached: bool) -> MirrorBuild:
    """The `MirrorBuild` for a mirror at `root`."""
    libtorch = layout.libtorch_zip_path(catalog.TORCH_VERSION, catalog.TORCH_VARIANT)
    installer = layout.miniconda_installer_path(LATEST_INSTALLER_NAME)
    return MirrorBuild(
        root=str(root),
        recipe=recipe,
        cached=cached,
        libtorch_zip=str(libtorch),
        miniconda_installer=str(installer),
    )


def build_mirror(destination: Path) -> MirrorBuild:
    """Build (or reuse) the mirror at `destination` and describe it."""
    destination = destination.absolute()
    try:
        return _build_or_reuse(destination)
    except OSError as error:
        raise ProvisionError(f"cannot build the lab mirror in {destination}: {error}") from error


def _build_or_reuse(destination: Path) -> MirrorBuild:
    destination.parent.mkdir(parents=True, exist_ok=True)
    recipe = recipe_hash()
    with _locked(destination):
        if _stamp(destination) == recipe:
            return describe(destination, recipe, cached=True)
        staging = destination.with_name(f".{destination.name}.building-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            _build_contents(staging, previous=destination)
            _write_checksums(staging)
            (staging / layout.STAMP_NAME).write_text(recipe + "\n", encoding="utf-8")
            _swap_into_place(staging, destination)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return describe(destination, recipe, cached=False)


@contextmanager
def _locked(destination: Path) -> Iterator[None]:
    lock_path = destination.with_name(f".{destination.name}.lock")
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _stamp(destination: Path) -> str:
    try:
        return (destination / layout.STAMP_NAME).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _swap_into_place(staging: Path, destination: Path) -> None:
    retired = destination.with_name(f".{destination.name}.retired-{os.getpid()}")
    if destination.exists():
        destination.rename(retired)
    staging.rename(destination)
    shutil.rmtree(retired, ignore_errors=True)


def _write_checksums(root: Path) -> None:
    """The manifest of `layout.CHECKSUMS_NAME`: each served download's sha256 by path."""
    sums = {}
    for folder in layout.CHECKSUMMED:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest = hashlib.sha256()
                with path.open("rb") as file:
                    for block in iter(lambda: file.read(1 << 20), b""):
                        digest.update(block)
                sums[str(path.relative_to(root))] = digest.hexdigest()
    (root / layout.CHECKSUMS_NAME).write_text(json.dumps(sums, indent=1, sort_keys=True) + "\n")


@cache
def _module(version: str) -> bytes:
    return build_kernel_module(version)


def _build_contents(root: Path, previous: Path) -> None:
    """The PyTorch side (download, zip) runs beside the stand-ins: both mostly wait."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        torch_side = pool.submit(_build_torch_side, root, previous)
        with tempfile.TemporaryDirectory(prefix=".real-toolkits-", dir=root.parent) as scratch:
            trees = _real_toolkit_trees(root, previous, Path(scratch))
            build_apt_repository(all_packages(_module, trees), root / layout.APT)
        _build_debian_archive(root)
        _build_runfiles(root)
        build_cudnn_archives(catalog.CUDNN_BUILDS, root)
        _build_conda(root)
        torch_side.result()


def _real_toolkit_trees(root: Path, previous: Path, scratch: Path) -> dict[str, dict[str, Path]]:
    """Each real toolkit's component folders, from wheels downloaded once (and carried over)."""
    wheels = root / CUDA_WHEELS
    _carry_over(previous / CUDA_WHEELS, wheels, "*.whl")
    trees = {}
    for real in catalog.REAL_TOOLKITS:
        download_toolkit_wheels(real, wheels)
        trees[real.toolkit.short] = unpack_toolkit(real, wheels, scratch / real.toolkit.short)
    return trees


def _build_debian_archive(root: Path) -> None:
    """Debian's archive and its security archive, as two roots like Debian's own."""
    suites = debian_archive_packages(_module)
    security = {suite: specs for suite, specs in suites.items() if suite.endswith("-security")}
    main = {suite: specs for suite, specs in suites.items() if suite not in security}
    build_archive(main, root / layout.DEBIAN, "Debian")
    build_archive(security, root / layout.DEBIAN_SECURITY, "Debian-Security")


def _build_torch_side(root: Path, previous: Path) -> None:
    _carry_over(previous / layout.WHEELS, root / layout.WHEELS, "*.whl")
    wheels = download_wheels(
        [f"torch=={catalog.TORCH_VERSION}+{catalog.TORCH_VARIANT}"], root / layout.WHEELS
    )
    _build_libtorch(root, previous, wheels)


def _build_runfiles(root: Path) -> None:
    drivers = {driver.version: driver for driver in catalog.all_drivers()}
    installers = {
        version: driver_runfile(driver, _module(version)) for version, driver in drivers.items()
    }
    for driver in catalog.APT_DRIVERS:
        _write(root / layout.driver_runfile_path(driver), installers[driver.version], 0o755)
    for toolkit in catalog.TOOLKITS:
        bundled = drivers[toolkit.bundled_driver]
        data = cuda_runfile(toolkit, bundled, installers[bundled.version])
        _write(root / layout.cuda_runfile_path(toolkit), data, 0o755)
        digest = hashlib.md5(data).hexdigest()
        sums = f"{digest}  {toolkit.runfile_name}\n".encode()
        _write(root / layout.cuda_md5sum_path(toolkit), sums, 0o644)


def _build_conda(root: Path) -> None:
    installer = miniconda_installer()
    for name in (LATEST_INSTALLER_NAME, versioned_installer_name()):
        _write(root / layout.miniconda_installer_path(name), installer, 0o755)


def _build_libtorch(root: Path, previous: Path, wheels: list[Path]) -> None:
    prefix = f"torch-{catalog.TORCH_VERSION}+{catalog.TORCH_VARIANT}-"
    wheel = next((path for path in wheels if path.name.startswith(prefix)), None)
    if wheel is None:
        raise FileNotFoundError(f"no {prefix}*.whl in the lab wheelhouse after pip download")
    relative = layout.libtorch_zip_path(catalog.TORCH_VERSION, catalog.TORCH_VARIANT)
    key = _libtorch_key(wheel)
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    old_zip = previous / relative
    if _read(previous / LIBTORCH_KEY) == key and old_zip.is_file():
        os.link(old_zip, target)
    else:
        build_version = f"{catalog.TORCH_VERSION}+{catalog.TORCH_VARIANT}"
        build_libtorch_zip(wheel, build_version, target)
    alias = layout.libtorch_zip_alias_name(catalog.TORCH_VERSION, catalog.TORCH_VARIANT)
    os.link(target, target.with_name(alias))
    (root / LIBTORCH_KEY).write_text(key + "\n", encoding="utf-8")


def _libtorch_key(wheel: Path) -> str:
    code = (PACKAGE_DIR / "libtorch_archive.py").read_bytes()
    source = f"{wheel.name}:{wheel.stat().st_size}:".encode()
    return hashlib.sha256(source + code).hexdigest()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _carry_over(source: Path, target: Path, pattern: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return
    for path in source.glob(pattern):
        os.link(path, target / path.name)


def _write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)
