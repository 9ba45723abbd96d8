"""CUDA toolkits side by side under `/usr/local/cuda-X.Y`, and which one is active.

A toolkit's version comes from its `version.json` (CUDA >= 11.1), `version.txt` (older)
or, failing both, the `CUDA_VERSION` macro of its `include/cuda.h`; never from nvcc.
"""

from __future__ import annotations

import json
import re

from provision.facts.apt import Package, parse_dpkg_query
from provision.facts.base import FactModel, release_of
from provision.facts.cudnn import CudnnInstall, parse_cudnn_installs
from provision.facts.sections import Sections
from provision.packaging.cuda_names import toolkit_package_release

_VERSION_TXT = re.compile(r"CUDA Version\s+(\d+\.\d+(?:\.\d+)?)")
_CUDA_H = re.compile(r"^#define\s+CUDA_VERSION\s+(\d+)", re.MULTILINE)


class CudaToolkit(FactModel):
    """One toolkit directory."""

    path: str
    version: str | None
    release: str | None
    nvcc_version: str | None
    version_source: str | None
    nvcc: bool
    cudnn: CudnnInstall | None


class CudaAlternative(FactModel):
    """One of the `update-alternatives` groups NVIDIA's packages make for `/usr/local/cuda`
    (`cuda`) and `/usr/local/cuda-<major>` (`cuda-12`): its mode and registered folders."""

    name: str
    manual: bool
    link: str
    choices: tuple[str, ...]


class CudaFacts(FactModel):
    """Every toolkit, the `/usr/local/cuda` link, its alternatives groups, and the toolkit
    packages dpkg has."""

    toolkits: tuple[CudaToolkit, ...]
    aliases: dict[str, str]
    alternatives: tuple[CudaAlternative, ...]
    active_link: str | None
    active_path: str | None
    active_release: str | None
    packages: tuple[Package, ...]
    package_releases: tuple[str, ...]


def parse_version_json(text: str) -> tuple[str | None, str | None]:
    """(toolkit version, nvcc version) from a toolkit's `version.json`."""
    try:
        document = json.loads(text)
    except ValueError:
        return None, None
    if not isinstance(document, dict):
        return None, None

    def version_of(component: str) -> str | None:
        entry = document.get(component)
        value = entry.get("version") if isinstance(entry, dict) else None
        return value if isinstance(value, str) else None

    return version_of("cuda"), version_of("cuda_nvcc")


def parse_version_txt(text: str) -> str | None:
    """The version in an old toolkit's `version.txt` (`CUDA Version 10.2.89`)."""
    match = _VERSION_TXT.search(text)
    return match[1] if match else None


def parse_cuda_header(text: str) -> str | None:
    """`X.Y` from cuda.h's `#define CUDA_VERSION 12010` (1000 * major + 10 * minor)."""
    match = _CUDA_H.search(text)
    if not match:
        return None
    number = int(match[1])
    return f"{number // 1000}.{number % 1000 // 10}"


def parse_alternative(name: str, text: str) -> CudaAlternative | None:
    """A group from dpkg's administrative file (`/var/lib/dpkg/alternatives/<name>`): the
    mode, the link, `slave name / slave link` pairs up to a blank line, then per choice its
    path, its priority and one line per slave; None for a file not in that shape."""
    lines = text.split("\n")
    if len(lines) < 3 or lines[0] not in ("auto", "manual"):
        return None
    try:
        blank = lines.index("", 2)
    except ValueError:
        return None
    slaves = (blank - 2) // 2
    choices = []
    position = blank + 1
    while position < len(lines) and lines[position]:
        choices.append(lines[position])
        position += 2 + slaves
    return CudaAlternative(
        name=name, manual=lines[0] == "manual", link=lines[1], choices=tuple(choices)
    )


def _toolkit(path: str, sections: Sections, cudnn: dict[str, CudnnInstall]) -> CudaToolkit:
    version = nvcc_version = source = None
    for section in sections.items:
        if section.argument != path:
            continue
        if section.name == "cuda-version-json":
            version, nvcc_version = parse_version_json(section.text)
            source = "version.json"
        elif section.name == "cuda-version-txt":
            version, source = parse_version_txt(section.text), "version.txt"
        elif section.name == "cuda-header":
            version, source = parse_cuda_header(section.text), "cuda.h"
    toolkit_section = next(s for s in sections.all("cuda-toolkit") if s.argument == path)
    return CudaToolkit(
        path=path,
        version=version,
        release=release_of(version),
        nvcc_version=nvcc_version,
        version_source=source if version else None,
        nvcc="nvcc" in toolkit_section.lines(),
        cudnn=cudnn.get(path),
    )


def parse_cuda(sections: Sections) -> CudaFacts:
    """The CUDA facts of one run."""
    per_toolkit, _ = parse_cudnn_installs(sections)
    toolkits = tuple(
        _toolkit(section.argument, sections, per_toolkit)
        for section in sections.all("cuda-toolkit")
    )
    link = sections.first("cuda-link")
    fields = link.fields() if link else {}
    resolved = fields.get("resolved")
    active = next((toolkit for toolkit in toolkits if toolkit.path == resolved), None)
    packages = [p for p in parse_dpkg_query(sections.text("packages")) if p.name.startswith("cuda")]
    releases = sorted(
        {
            release
            for p in packages
            if p.installed
            for release in [toolkit_package_release(p.name)]
            if release
        }
    )
    return CudaFacts(
        toolkits=toolkits,
        aliases={s.argument: s.text.strip() for s in sections.all("cuda-alias")},
        alternatives=tuple(
            found
            for section in sections.all("cuda-alternative")
            for found in [parse_alternative(section.argument, section.text)]
            if found is not None
        ),
        active_link=fields.get("link"),
        active_path=resolved,
        active_release=active.release if active else None,
        packages=tuple(packages),
        package_releases=tuple(releases),
    )
