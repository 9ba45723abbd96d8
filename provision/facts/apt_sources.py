"""The host's apt sources: every entry of `/etc/apt/sources.list` and `sources.list.d`, in
the one-line (`.list`) and deb822 (`.sources`) formats (sources.list(5))."""

from __future__ import annotations

from provision.facts.base import FactModel
from provision.facts.sections import Sections

COPIED_OPTIONS = ("signed-by", "trusted", "arch")
"""The options apt insists are the same on every entry of one URI and suite ("Conflicting
values set for option Trusted regarding source"), so an entry added beside one must
repeat them; kept by their one-line names."""

_DEB822_OPTIONS = {"signed-by": "signed-by", "trusted": "trusted", "architectures": "arch"}


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
        """The value of option `name` (a `COPIED_OPTIONS` name), None when not set."""
        return dict(self.options).get(name)


def _one_line_options(text: str) -> tuple[tuple[str, str], ...]:
    found = []
    for item in text.split():
        key, _, value = item.partition("=")
        key = key.lower().rstrip("+-")
        if key in COPIED_OPTIONS and value:
            found.append((key, value))
    return tuple(found)


def parse_one_line(path: str, text: str) -> list[AptSource]:
    """The entries of a `.list` file: `TYPE [OPTIONS] URI SUITE [COMPONENT...]`."""
    entries = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        kind, _, rest = line.partition(" ")
        rest = rest.strip()
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
            (copied, stanza[field]) for field, copied in _DEB822_OPTIONS.items() if field in stanza
        )
        entries.append(
            AptSource(
                file=path,
                types=types,
                uris=uris,
                suites=suites,
                components=tuple(stanza.get("components", "").split()),
                options=options,
                enabled=stanza.get("enabled", "yes").lower() not in ("no", "false", "0"),
            )
        )
    return entries


def parse_apt_sources(sections: Sections) -> tuple[AptSource, ...]:
    """Every entry of every sources file the fact script read, in apt's reading order."""
    entries: list[AptSource] = []
    for section in sections.all("apt-source"):
        if section.argument.endswith(".sources"):
            entries += parse_deb822(section.argument, section.text)
        else:
            entries += parse_one_line(section.argument, section.text)
    return tuple(entries)
