"""Builds the flat apt repository: `.deb` files, `Packages(.gz)` and a `Release` with hashes.

Packages are built with `dpkg-deb --build` and indexed with `dpkg-scanpackages --multiversion`
(dpkg-dev), so several versions of one package (e.g. `cuda-drivers`) sit side by side as in
NVIDIA's repository. The repository is unsigned: hosts use it as
`deb [trusted=yes] http://127.0.0.1:PORT/apt ./`, which is acceptable only in the lab.
"""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from provision.errors import EnvironmentNotSupportedError
from provision_lab.mirror.debian_packages import PackageSpec
from provision_lab.mirror.file_tree import FileTree, TreeFile, write_tree

RELEASE_FIELDS = (
    "Origin: provision sandbox lab",
    "Label: NVIDIA CUDA stand-ins (lab only)",
    "Date: Sat, 01 Jun 2024 00:00:00 UTC",
    "Architectures: amd64",
    "Description: LAB STAND-IN packages with NVIDIA's names and versions; never for real hosts",
)


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


def build_deb(spec: PackageSpec, output_dir: Path) -> Path:
    """Build one `.deb` into `output_dir` and return its path."""
    with tempfile.TemporaryDirectory(prefix=f"lab-deb-{spec.name}-") as scratch:
        staging = Path(scratch) / spec.name
        debian = FileTree({"DEBIAN/control": TreeFile(spec.control().encode())})
        for script, text in spec.scripts:
            debian.files[f"DEBIAN/{script}"] = TreeFile(text.encode(), 0o755)
        write_tree(spec.tree.merged(debian), staging)
        staging.chmod(0o755)
        for folder in staging.rglob("*"):
            if folder.is_dir() and not folder.is_symlink():
                folder.chmod(0o755)
        target = output_dir / spec.file_name
        command = ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(staging), str(target)]
        _run(command, "dpkg")
    return target


def _release(repository: Path, indexes: list[str]) -> str:
    lines = list(RELEASE_FIELDS)
    for algorithm, label in (("md5", "MD5Sum"), ("sha256", "SHA256")):
        lines.append(f"{label}:")
        for name in indexes:
            data = (repository / name).read_bytes()
            digest = hashlib.new(algorithm, data).hexdigest()
            lines.append(f" {digest} {len(data):>8} {name}")
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
