"""cuDNN, per toolkit (`/usr/local/cuda-X.Y/include/cudnn_version.h`, tarball installs)
and system-wide (`/usr/include/...`, deb installs), from the version macros."""

from __future__ import annotations

import re

from provision.cuda_layout import TOOLKIT_FOLDER_PREFIX
from provision.facts.apt import Package, parse_dpkg_query
from provision.facts.base import FactModel
from provision.facts.sections import Sections

_MACRO = re.compile(r"^#define\s+CUDNN_(MAJOR|MINOR|PATCHLEVEL)\s+(\d+)", re.MULTILINE)
_PACKAGE_CUDA = re.compile(r"\+cuda(\d+)\.(\d+)")
_NAME_CUDA = re.compile(r"-cuda-(\d+)$")


class CudnnInstall(FactModel):
    """A cuDNN found by its header."""

    header: str
    version: str
    major: int


class CudnnPackage(FactModel):
    """A cuDNN package and the CUDA it was built for: `X.Y` from a cuDNN 8 version
    (`8.9.7.29-1+cuda12.2`), or the major alone from a cuDNN 9 name (`libcudnn9-cuda-12`)."""

    name: str
    version: str | None
    cuda: str | None


class CudnnFacts(FactModel):
    """cuDNN found system-wide, and the packages dpkg has."""

    system: tuple[CudnnInstall, ...]
    packages: tuple[CudnnPackage, ...]


def parse_cudnn_header(text: str) -> str | None:
    """`MAJOR.MINOR.PATCHLEVEL` from the `#define CUDNN_*` lines of `cudnn_version.h`
    (or of `cudnn.h` before cuDNN 8)."""
    values = dict(_MACRO.findall(text))
    if "MAJOR" not in values or "MINOR" not in values:
        return None
    return f"{values['MAJOR']}.{values['MINOR']}.{values.get('PATCHLEVEL', '0')}"


def parse_cudnn_installs(sections: Sections) -> tuple[dict[str, CudnnInstall], list[CudnnInstall]]:
    """(toolkit path -> its cuDNN, system-wide cuDNN headers)."""
    per_toolkit: dict[str, CudnnInstall] = {}
    system: list[CudnnInstall] = []
    for section in sections.all("cudnn-header"):
        version = parse_cudnn_header(section.text)
        if version is None:
            continue
        install = CudnnInstall(
            header=section.argument, version=version, major=int(version.split(".")[0])
        )
        if section.argument.startswith(TOOLKIT_FOLDER_PREFIX):
            per_toolkit.setdefault(section.argument.split("/include/")[0], install)
        else:
            system.append(install)
    return per_toolkit, system


def _package(package: Package) -> CudnnPackage:
    match = _PACKAGE_CUDA.search(package.version or "")
    named = _NAME_CUDA.search(package.name)
    cuda = f"{match[1]}.{match[2]}" if match else (named[1] if named else None)
    return CudnnPackage(name=package.name, version=package.version, cuda=cuda)


def parse_cudnn(sections: Sections) -> CudnnFacts:
    """The system-wide cuDNN facts of one run (per-toolkit ones sit in each toolkit)."""
    _, system = parse_cudnn_installs(sections)
    packages = [
        _package(p)
        for p in parse_dpkg_query(sections.text("packages"))
        if p.installed and (p.name.startswith("libcudnn") or p.name.startswith("cudnn"))
    ]
    return CudnnFacts(system=tuple(system), packages=tuple(packages))
