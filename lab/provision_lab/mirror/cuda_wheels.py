"""Real CUDA toolkits from NVIDIA's PyPI wheels, laid out as NVIDIA's apt packages lay them out.

NVIDIA publishes the CUDA compiler and runtime as wheels (`nvidia-cuda-nvcc`, ...) whose
files sit under `nvidia/cu<major>/`; its `.deb` packages put the same files under
`/usr/local/cuda-X.Y/` (`bin/`, `nvvm/`, `targets/x86_64-linux/{include,lib}`). This module
downloads the pinned wheels once (pip, with this machine's own configuration) and unpacks
each into the folder tree of the apt package that carries those files, so that a lab host's
`nvcc` is NVIDIA's compiler. Which package carries which file is documented in the mirror's
README.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path, PurePosixPath

from provision_lab.mirror.catalog import RealToolkit
from provision_lab.mirror.wheelhouse import pip_download

TARGET = "targets/x86_64-linux"


def package_names(real: RealToolkit) -> dict[str, str]:
    """PyPI project -> the apt package of its files (`nvidia-cuda-nvcc` -> `cuda-nvcc-13-0`);
    the runtime wheel's files go to two packages (see `unpack_toolkit`)."""
    dashed = real.toolkit.dashed
    return {
        "nvidia-cuda-nvcc": f"cuda-nvcc-{dashed}",
        "nvidia-cuda-crt": f"cuda-crt-{dashed}",
        "nvidia-nvvm": f"cuda-nvvm-{dashed}",
        "nvidia-cuda-runtime": f"cuda-cudart-dev-{dashed}",
        "nvidia-cuda-cccl": f"cuda-cccl-{dashed}",
    }


def wheel_file(wheels: Path, project: str, version: str) -> Path:
    """The downloaded wheel of `project==version` in `wheels` (FileNotFoundError if absent)."""
    stem = f"{project.replace('-', '_')}-{version}-"
    for path in sorted(wheels.glob("*.whl")):
        if path.name.startswith(stem):
            return path
    raise FileNotFoundError(f"no {stem}*.whl in {wheels}")


def download_toolkit_wheels(real: RealToolkit, wheels: Path) -> None:
    """`pip download --no-deps` every pinned wheel not already in `wheels`."""
    wheels.mkdir(parents=True, exist_ok=True)
    missing = []
    for project, version in real.wheels:
        try:
            wheel_file(wheels, project, version)
        except FileNotFoundError:
            missing.append(f"{project}=={version}")
    if missing:
        purpose = f"the lab's CUDA {real.toolkit.short} toolkit"
        pip_download(["--no-deps", "--only-binary=:all:"], missing, wheels, purpose)


def installed_path(wheel_path: PurePosixPath, major: str) -> PurePosixPath | None:
    """Where a file of a wheel lies below `/usr/local/cuda-X.Y` (None: not installed).

    Pure: `nvidia/cu13/bin/nvcc` -> `bin/nvcc`, `.../lib/libnvvm.so.4` -> `nvvm/lib64/...`,
    `.../include/nvvm.h` -> `nvvm/include/nvvm.h`, other headers and libraries under
    `targets/x86_64-linux/`; dist-info metadata is not installed.
    """
    parts = wheel_path.parts
    if parts[:2] != ("nvidia", f"cu{major}") or len(parts) < 4:
        return None
    top, rest = parts[2], PurePosixPath(*parts[3:])
    if top in ("bin", "nvvm"):
        return PurePosixPath(top) / rest
    if top == "lib" and rest.name.startswith("libnvvm.so"):
        return PurePosixPath("nvvm/lib64") / rest
    if top == "include" and rest.name == "nvvm.h":
        return PurePosixPath("nvvm/include") / rest
    if top in ("lib", "include"):
        return PurePosixPath(TARGET) / top / rest
    return None


def _unpack(wheel: Path, root: Path, major: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            relative = installed_path(PurePosixPath(member.filename), major)
            if relative is None:
                continue
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, target.open("wb") as output:
                while block := source.read(1 << 20):
                    output.write(block)
            executable = (member.external_attr >> 16) & 0o111
            target.chmod(0o755 if executable else 0o644)


def unpack_toolkit(real: RealToolkit, wheels: Path, scratch: Path) -> dict[str, Path]:
    """Each apt package's tree (paths as on the host, below `scratch/<package>/`), by name.

    The runtime wheel is split as NVIDIA splits it: the shared `libcudart.so.<version>` and
    its SONAME link in `cuda-cudart-X-Y`, headers, static libraries and the `libcudart.so`
    development link in `cuda-cudart-dev-X-Y`.
    """
    toolkit = real.toolkit
    prefix = PurePosixPath(f"usr/local/cuda-{toolkit.short}")
    trees: dict[str, Path] = {}
    for project, package in package_names(real).items():
        tree = scratch / package
        wheel = wheel_file(wheels, project, real.wheel_version(project))
        _unpack(wheel, tree / prefix, toolkit.major)
        trees[package] = tree
    runtime = real.wheel_version("nvidia-cuda-runtime")
    dev = trees[f"cuda-cudart-dev-{toolkit.dashed}"] / prefix
    shared = scratch / f"cuda-cudart-{toolkit.dashed}"
    shared_lib = shared / prefix / TARGET / "lib"
    shared_lib.mkdir(parents=True)
    soname = f"libcudart.so.{toolkit.cudart_soname_version}"
    (dev / TARGET / "lib" / soname).rename(shared_lib / f"libcudart.so.{runtime}")
    os.symlink(f"libcudart.so.{runtime}", shared_lib / soname)
    os.symlink(f"{TARGET}/lib", shared / prefix / "lib64")
    os.symlink(soname, dev / TARGET / "lib" / "libcudart.so")
    os.symlink(f"{TARGET}/include", dev / "include")
    trees[f"cuda-cudart-{toolkit.dashed}"] = shared
    return trees
