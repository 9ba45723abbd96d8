"""libtorch: whether the unpacked distribution is there and which build it is."""

from __future__ import annotations

from provision.facts.base import FactModel
from provision.facts.sections import Sections


class LibtorchFacts(FactModel):
    """The libtorch folder (`build-version` is e.g. `2.1.0+cu118` or `2.13.0+cpu`)."""

    path: str
    exists: bool
    build_version: str | None
    version: str | None
    variant: str | None
    cmake_config: bool


def parse_build_version(text: str) -> tuple[str | None, str | None]:
    """(version, variant) of a `build-version` such as `2.1.0+cu118`."""
    value = text.strip()
    if not value:
        return None, None
    version, _, variant = value.partition("+")
    return version, variant or None


def parse_libtorch(sections: Sections) -> LibtorchFacts | None:
    """The libtorch facts of one run (None when no libtorch path was asked about)."""
    section = sections.first("libtorch")
    if section is None:
        return None
    lines = section.lines()
    build = section.fields().get("build-version") or None
    version, variant = parse_build_version(build or "")
    return LibtorchFacts(
        path=section.argument,
        exists="exists" in lines,
        build_version=build,
        version=version,
        variant=variant,
        cmake_config="cmake-config" in lines,
    )
