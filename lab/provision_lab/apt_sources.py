"""The Debian mirror this machine's apt uses, read at run time from its sources.

The repository never names a registry host: debootstrap gets the URL the machine's
own apt configuration points at (deb822 `.sources` files first, then `sources.list`), read
with provision's own parsers of apt's two formats.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from provision.errors import EnvironmentNotSupportedError
from provision.facts.apt_sources import AptSource, parse_deb822, parse_one_line

APT_SOURCES_DIR = Path("/etc/apt/sources.list.d")
APT_SOURCES_LIST = Path("/etc/apt/sources.list")


def _first_main_uri(entries: list[AptSource], suite: str) -> str | None:
    for entry in entries:
        wanted = suite in entry.suites and "main" in entry.components
        if entry.enabled and "deb" in entry.types and wanted:
            return entry.uris[0]
    return None


def mirror_from_deb822(text: str, suite: str) -> str | None:
    """The first `deb` URI of a deb822 sources file that carries `suite` and `main`."""
    return _first_main_uri(parse_deb822("", text), suite)


def mirror_from_sources_list(text: str, suite: str) -> str | None:
    """The first `deb` URI of a one-line-style sources.list for `suite` with `main`."""
    return _first_main_uri(parse_one_line("", text), suite)


def _source_files() -> Iterable[Path]:
    if APT_SOURCES_DIR.is_dir():
        yield from sorted(APT_SOURCES_DIR.glob("*.sources"))
        yield from sorted(APT_SOURCES_DIR.glob("*.list"))
    yield APT_SOURCES_LIST


def debian_mirror(suite: str = "bookworm") -> str:
    """The URL of the Debian mirror this machine's apt uses for `suite`."""
    for path in _source_files():
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".sources":
            found = mirror_from_deb822(text, suite)
        else:
            found = mirror_from_sources_list(text, suite)
        if found:
            return found.rstrip("/")
    raise EnvironmentNotSupportedError(
        f"no apt source for Debian {suite} main in {APT_SOURCES_DIR}/*.sources or "
        f"{APT_SOURCES_LIST}: the lab's base image is built from the machine's own mirror"
    )
