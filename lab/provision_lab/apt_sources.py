"""The Debian mirror this machine's apt uses, read at run time from its sources.

The repository never names a registry host: debootstrap gets the URL the machine's
own apt configuration points at (deb822 `.sources` files first, then `sources.list`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from provision.errors import EnvironmentNotSupportedError

APT_SOURCES_DIR = Path("/etc/apt/sources.list.d")
APT_SOURCES_LIST = Path("/etc/apt/sources.list")


def _deb822_stanzas(text: str) -> list[dict[str, str]]:
    """The stanzas of a deb822 file as field -> value (continuation lines joined)."""
    stanzas: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last_field = ""
    for raw_line in text.splitlines():
        if raw_line.startswith("#"):
            continue
        if not raw_line.strip():
            if current:
                stanzas.append(current)
            current, last_field = {}, ""
            continue
        if raw_line[0] in " \t" and last_field:
            current[last_field] += " " + raw_line.strip()
            continue
        field, _, value = raw_line.partition(":")
        last_field = field.strip().lower()
        current[last_field] = value.strip()
    if current:
        stanzas.append(current)
    return stanzas


def mirror_from_deb822(text: str, suite: str) -> str | None:
    """The first `deb` URI of a deb822 sources file that carries `suite` and `main`."""
    for stanza in _deb822_stanzas(text):
        if stanza.get("enabled", "yes").lower() == "no":
            continue
        if "deb" not in stanza.get("types", "").split():
            continue
        if suite not in stanza.get("suites", "").split():
            continue
        if "main" not in stanza.get("components", "").split():
            continue
        uris = stanza.get("uris", "").split()
        if uris:
            return uris[0]
    return None


def mirror_from_sources_list(text: str, suite: str) -> str | None:
    """The first `deb` URI of a one-line-style sources.list for `suite` with `main`."""
    for raw_line in text.splitlines():
        words = raw_line.split("#", 1)[0].split()
        if not words or words[0] != "deb":
            continue
        words = words[1:]
        if words and words[0].startswith("["):
            while words and not words[0].endswith("]"):
                words = words[1:]
            words = words[1:]
        if len(words) >= 3 and words[1] == suite and "main" in words[2:]:
            return words[0]
    return None


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
