"""Builds the flat apt repository: `.deb` files, `Packages(.gz)` and a `Release` with hashes.

Packages are built with `dpkg-deb --build` and indexed with `dpkg-scanpackages --multiversion`
(dpkg-dev), so several versions of one package (e.g. `cuda-drivers`) sit side by side as in
NVIDIA's repository. The repository is unsigned: hosts use it as
`deb [trusted=yes] http://127.0.0.1:PORT/apt ./`, which is acceptable only in the lab.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from provision.errors import EnvironmentNotSupportedError
from provision_lab.mirror.debian_packages import PackageSpec
from provision_lab.mirror.file_tree import FileTree, TreeFile, write_tree

RELEASE_FIELDS = (
    "Origin: NVIDIA",
    "Label: NVIDIA CUDA",
    "Architecture: x86_64",
    "Date: Sat, 01 Jun 2024 00:00:00 UTC",
    "Description: LAB STAND-IN packages with NVIDIA's names and versions; never for real hosts",
)
"""NVIDIA's fields, in NVIDIA's order (NVIDIA/cuda-repo-management repo-debian.sh
`deb_metadata()`: Origin, Label, Architecture with the folder's name, Date, the hashes,
`Acquire-By-Hash: no`; no Suite, Codename or Components in a flat repository), so a pin on
`l=NVIDIA CUDA` works here as there; `Description` is the lab's stand-in mark."""


def _run(command: list[str], tool_package: str, cwd: Path | None = None) -> str:
    try:
        result = subprocess.run(command, check=True, capture_output=True, text=True, cwd=cwd)
    except FileNotFoundError as error:
        raise EnvironmentNotSupportedError(
            f"building the lab mirror needs {command[0]} (apt-get install {tool_package})"
        ) from error
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"{' '.join(command)} failed: {error.stderr.strip()}") from error
    return result.stdout


def _link_or_copy(source: str, target: str) -> None:
    """A hard link where both lie on one file system (a payload is hundreds of MB)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def build_deb(spec: PackageSpec, output_dir: Path) -> Path:
    """Build one `.deb` into `output_dir` and return its path."""
    with tempfile.TemporaryDirectory(prefix=f"lab-deb-{spec.name}-") as scratch:
        staging = Path(scratch) / spec.name
        debian = FileTree({"DEBIAN/control": TreeFile(spec.control().encode())})
        for script, text in spec.scripts:
            debian.files[f"DEBIAN/{script}"] = TreeFile(text.encode(), 0o755)
        if spec.payload is not None:
            shutil.copytree(spec.payload, staging, symlinks=True, copy_function=_link_or_copy)
        write_tree(spec.tree.merged(debian), staging)
        staging.chmod(0o755)
        for folder in staging.rglob("*"):
            if folder.is_dir() and not folder.is_symlink():
                folder.chmod(0o755)
        target = output_dir / spec.file_name
        command = ["dpkg-deb", "--root-owner-group", *spec.compression, "--build", str(staging),
                   str(target)]  # fmt: skip
        _run(command, "dpkg")
    return target


def _hash_lists(base: Path, indexes: list[str], algorithms: tuple[str, ...]) -> list[str]:
    """A Release file's `MD5Sum:` / `SHA1:` / `SHA256:` lists of the index files."""
    labels = {"md5": "MD5Sum", "sha1": "SHA1", "sha256": "SHA256"}
    lines = []
    for algorithm in algorithms:
        lines.append(f"{labels[algorithm]}:")
        for name in indexes:
            data = (base / name).read_bytes()
            lines.append(f" {hashlib.new(algorithm, data).hexdigest()} {len(data):>8} {name}")
    return lines


def _release(repository: Path, indexes: list[str]) -> str:
    lines = [*RELEASE_FIELDS, *_hash_lists(repository, indexes, ("md5", "sha1", "sha256"))]
    lines.append("Acquire-By-Hash: no")
    return "\n".join(lines) + "\n"


def build_apt_repository(specs: list[PackageSpec], repository: Path) -> list[Path]:
    """Build every package into `repository` and index it; returns the `.deb` paths."""
    repository.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        debs = list(pool.map(lambda spec: build_deb(spec, repository), specs))
    packages = _run(["dpkg-scanpackages", "--multiversion", "."], "dpkg-dev", cwd=repository)
    (repository / "Packages").write_text(packages, encoding="utf-8")
    (repository / "Packages.gz").write_bytes(gzip.compress(packages.encode(), mtime=0))
    release = _release(repository, ["Packages", "Packages.gz"])
    (repository / "Release").write_text(release, encoding="utf-8")
    return debs


ARCHIVE_COMPONENTS = ("main", "contrib", "non-free-firmware", "non-free")


def _archive_release(suite: str, label: str, dists: Path, indexes: list[str]) -> str:
    lines = [
        "Origin: Debian",
        f"Label: {label}",
        f"Suite: {'stable-security' if suite.endswith('-security') else 'stable'}",
        f"Codename: {suite}",
        "Date: Sat, 01 Jun 2024 00:00:00 UTC",
        "Acquire-By-Hash: no",
        "Architectures: amd64",
        f"Components: {' '.join(ARCHIVE_COMPONENTS)}",
        "Description: LAB STAND-IN of Debian's archive; never for real hosts",
    ]
    lines += _hash_lists(dists, indexes, ("md5", "sha256"))
    return "\n".join(lines) + "\n"


def build_archive(suites: dict[str, list[PackageSpec]], archive: Path, label: str) -> None:
    """A Debian-style archive (`dists/<suite>/<component>/binary-amd64/Packages`, debs under
    `pool/<suite>/<component>/`), each package in the component its section names."""
    for suite, specs in suites.items():
        dists = archive / "dists" / suite
        for component in ARCHIVE_COMPONENTS:
            pool = archive / "pool" / suite / component
            pool.mkdir(parents=True, exist_ok=True)
            for spec in specs:
                prefix = spec.section.split("/")[0] if "/" in spec.section else "main"
                if prefix == component:
                    build_deb(spec, pool)
            scan = ["dpkg-scanpackages", "--multiversion", str(pool.relative_to(archive))]
            packages = _run(scan, "dpkg-dev", cwd=archive)
            index = dists / component / "binary-amd64"
            index.mkdir(parents=True, exist_ok=True)
            (index / "Packages").write_text(packages, encoding="utf-8")
            (index / "Packages.gz").write_bytes(gzip.compress(packages.encode(), mtime=0))
        names = [
            f"{component}/binary-amd64/{name}"
            for component in ARCHIVE_COMPONENTS
            for name in ("Packages", "Packages.gz")
        ]
        (dists / "Release").write_text(_archive_release(suite, label, dists, names))
