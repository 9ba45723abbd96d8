"""The host's apt sources: every entry of `/etc/apt/sources.list` and `sources.list.d`, in
the one-line (`.list`) and deb822 (`.sources`) formats (sources.list(5))."""

from __future__ import annotations

import re
from urllib.parse import unquote

from provision.facts.base import FactModel
from provision.facts.sections import Sections

PER_ENTRY_OPTIONS = frozenset(
    {"architectures", "architectures-add", "architectures-remove", "languages",
     "languages-add", "languages-remove", "targets", "targets-add", "targets-remove"}
)  # fmt: skip
"""Options apt applies per entry: every other one (Signed-By, Trusted, Check-Valid-Until,
Allow-Insecure, ...) must agree on every entry of one URI and suite, set or unset alike
("Conflicting values set for option Trusted regarding source"), so an entry added beside
one repeats them all and none of these."""

_ONE_LINE_NAMES = {"arch": "architectures", "lang": "languages", "target": "targets"}
_DEB822_ENTRY_FIELDS = frozenset({"types", "uris", "suites", "components", "enabled"})
_FALSE = frozenset({"no", "false", "without", "off", "disable", "0"})
"""The spellings apt's StringToBool reads as false."""
_APT_FILE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
"""The file names apt reads in sources.list.d; it skips any other."""


class AptSource(FactModel):
    """One source entry: a one-line entry, or a deb822 stanza (several URIs and suites)."""

    file: str
    types: tuple[str, ...]
    uris: tuple[str, ...]
    suites: tuple[str, ...]
    components: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    enabled: bool = True

    def option(self, name: str) -> str | None:
        """The value of option `name` (its deb822 name, lower-case), None when not set."""
        return dict(self.options).get(name)

    def shared_options(self) -> tuple[tuple[str, str], ...]:
        """The options every entry of this URI and suite must repeat."""
        return tuple((name, value) for name, value in self.options if name not in PER_ENTRY_OPTIONS)


def _one_line_options(text: str) -> tuple[tuple[str, str], ...]:
    """`key=value` / `key+=value` / `key-=value` items under their deb822 names (`arch+=`
    is `architectures-add`), values unquoted and %-decoded as apt reads them."""
    found = []
    for item in text.split():
        key, equals, value = item.partition("=")
        if not equals:
            continue
        suffix = {"+": "-add", "-": "-remove"}.get(key[-1:], "")
        key = key.lower().rstrip("+-")
        name = _ONE_LINE_NAMES.get(key, key) + suffix
        found.append((name, unquote(value.strip('"'))))
    return tuple(found)


def parse_one_line(path: str, text: str) -> list[AptSource]:
    """The entries of a `.list` file: `TYPE [OPTIONS] URI SUITE [COMPONENT...]`."""
    entries = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        kind, *after = line.split(None, 1)
        rest = after[0] if after else ""
        options: tuple[tuple[str, str], ...] = ()
        if rest.startswith("["):
            inside, closed, rest = rest[1:].partition("]")
            if not closed:
                continue
            options = _one_line_options(inside)
        words = rest.split()
        if kind not in ("deb", "deb-src") or len(words) < 2:
            continue
        entries.append(
            AptSource(
                file=path,
                types=(kind,),
                uris=(words[0],),
                suites=(words[1],),
                components=tuple(words[2:]),
                options=options,
            )
        )
    return entries


def _stanzas(text: str) -> list[dict[str, str]]:
    """deb822 paragraphs as field -> value (lower-case names; continuation lines kept, so
    an inline `Signed-By` key survives)."""
    stanzas: list[dict[str, str]] = []
    current: dict[str, str] = {}
    name = ""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if current:
                stanzas.append(current)
            current, name = {}, ""
        elif line[0] in " \t" and name:
            current[name] += "\n" + line
        else:
            field, colon, value = line.partition(":")
            if colon:
                name = field.strip().lower()
                current[name] = value.strip()
    if current:
        stanzas.append(current)
    return stanzas


def parse_deb822(path: str, text: str) -> list[AptSource]:
    """The stanzas of a `.sources` file."""
    entries = []
    for stanza in _stanzas(text):
        types = tuple(stanza.get("types", "").split())
        uris = tuple(stanza.get("uris", "").split())
        suites = tuple(stanza.get("suites", "").split())
        if not types or not uris or not suites:
            continue
        options = tuple(
            (field, value) for field, value in stanza.items() if field not in _DEB822_ENTRY_FIELDS
        )
        entries.append(
            AptSource(
                file=path,
                types=types,
                uris=uris,
                suites=suites,
                components=tuple(stanza.get("components", "").split()),
                options=options,
                enabled=stanza.get("enabled", "yes").strip().lower() not in _FALSE,
            )
        )
    return entries


def parse_apt_sources(sections: Sections) -> tuple[AptSource, ...]:
    """Every entry of every sources file the fact script read, in apt's reading order."""
    entries: list[AptSource] = []
    for section in sections.all("apt-source"):
        name = section.argument.rsplit("/", 1)[-1]
        if section.argument != "/etc/apt/sources.list" and not _APT_FILE_NAME.fullmatch(name):
            continue
        if section.argument.endswith(".sources"):
            entries += parse_deb822(section.argument, section.text)
        else:
            entries += parse_one_line(section.argument, section.text)
    return tuple(entries)
