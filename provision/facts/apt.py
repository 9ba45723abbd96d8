"""Packages (dpkg-query), holds (dpkg's status file), apt's sources and who holds the
apt/dpkg locks."""

from __future__ import annotations

import functools

from provision.facts.apt_sources import AptSource, parse_apt_sources
from provision.facts.base import FactModel
from provision.facts.sections import Sections

_STATES = {
    "n": "not-installed",
    "c": "config-files",
    "H": "half-installed",
    "U": "unpacked",
    "F": "half-configured",
    "W": "triggers-awaited",
    "t": "triggers-pending",
    "i": "installed",
}
_WANTS = {"u": "unknown", "i": "install", "h": "hold", "r": "remove", "p": "purge"}
LOCK_PATHS = (
    "/var/lib/dpkg/lock",
    "/var/lib/dpkg/lock-frontend",
    "/var/lib/apt/lists/lock",
    "/var/cache/apt/archives/lock",
)


class Package(FactModel):
    """A package dpkg knows, with what is wanted of it and its state."""

    name: str
    version: str | None
    want: str
    state: str

    @property
    def installed(self) -> bool:
        return self.state == "installed"


class OpenFile(FactModel):
    """A process that has a watched file open (`/dev/nvidia*`, an apt/dpkg lock)."""

    pid: int
    path: str
    command: str


class AptFacts(FactModel):
    """dpkg's view: the NVIDIA/CUDA/cuDNN packages, held packages, apt's source entries,
    lock holders."""

    dpkg: bool
    packages: tuple[Package, ...]
    held: tuple[str, ...]
    sources: tuple[AptSource, ...]
    lock_holders: tuple[OpenFile, ...]
    lock_held: bool


@functools.lru_cache(maxsize=64)
def parse_dpkg_query(text: str) -> tuple[Package, ...]:
    """Lines of `${db:Status-Abbrev}\\t${Package}\\t${Version}`, skipping unknown ones
    and packages dpkg only remembers as not installed. Several fact groups read the same
    lines, and a fleet's hosts mostly hold the same packages: each text is parsed once."""
    packages = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or len(parts[0]) < 2:
            continue
        abbreviation, name, version = parts
        state = _STATES.get(abbreviation[1])
        if state is None or state == "not-installed":
            continue
        packages.append(
            Package(
                name=name,
                version=version or None,
                want=_WANTS.get(abbreviation[0], "unknown"),
                state=state,
            )
        )
    return tuple(packages)


def parse_held(text: str) -> tuple[str, ...]:
    """`Package: NAME` lines of held packages, as dpkg's status file lists them."""
    names = (line.removeprefix("Package:").strip() for line in text.splitlines())
    return tuple(sorted({name for name in names if name}))


def parse_open_files(text: str) -> list[OpenFile]:
    """`PID PATH COMMAND` lines found by scanning `/proc/*/fd`."""
    found = set()
    for line in text.splitlines():
        pid, _, rest = line.partition(" ")
        path, _, command = rest.partition(" ")
        if pid.isdigit() and path:
            found.add(OpenFile(pid=int(pid), path=path, command=command.strip()))
    return sorted(found, key=lambda item: (item.pid, item.path))


def parse_apt(sections: Sections) -> AptFacts:
    """The apt/dpkg facts of one run."""
    holders = [
        item for item in parse_open_files(sections.text("open-files")) if item.path in LOCK_PATHS
    ]
    identity = sections.first("identity")
    return AptFacts(
        dpkg=bool(identity and "dpkg-architecture" in identity.fields()),
        packages=tuple(parse_dpkg_query(sections.text("packages"))),
        held=parse_held(sections.text("held-packages")),
        sources=parse_apt_sources(sections),
        lock_holders=tuple(holders),
        lock_held=bool(holders),
    )
