"""Assembles a real libtorch zip from the PyTorch wheel, in libtorch's own archive layout.

The CPU wheel carries the same C++ headers, shared libraries and CMake package as PyTorch's
libtorch download (`libtorch/{include,lib,share/cmake/Torch,bin}`, `build-version`); only the
Python binding is left out. The result is real: CMake programs build and run against it.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

KEPT_PREFIXES = ("torch/include/", "torch/lib/", "torch/share/cmake/")
KEPT_FILES = ("torch/bin/torch_shm_manager",)
LEFT_OUT = ("torch/lib/libtorch_python.so", "torch/lib/libshm_windows/")


def _archive_name(wheel_name: str) -> str | None:
    if wheel_name.startswith(LEFT_OUT) or wheel_name.endswith("/"):
        return None
    if wheel_name.startswith(KEPT_PREFIXES) or wheel_name in KEPT_FILES:
        return "libtorch/" + wheel_name.removeprefix("torch/")
    return None


def _build_hash(wheel: zipfile.ZipFile) -> str:
    try:
        source = wheel.read("torch/version.py").decode()
    except KeyError:
        return "unknown"
    found = re.search(r"git_version\s*=\s*['\"]([0-9a-f]+)['\"]", source)
    return found.group(1) if found else "unknown"


def build_libtorch_zip(wheel_path: Path, build_version: str, target: Path) -> Path:
    """Write the libtorch zip for `build_version` (e.g. `2.13.0+cpu`) to `target`."""
    partial = target.with_name(target.name + ".partial")
    with (
        zipfile.ZipFile(wheel_path) as wheel,
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):
        for info in wheel.infolist():
            name = _archive_name(info.filename)
            if name is None:
                continue
            entry = zipfile.ZipInfo(name, date_time=info.date_time)
            entry.external_attr = info.external_attr or (0o644 << 16)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with wheel.open(info) as source, archive.open(entry, "w") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
        archive.writestr("libtorch/build-version", build_version + "\n")
        archive.writestr("libtorch/build-hash", _build_hash(wheel) + "\n")
    partial.replace(target)
    return target
