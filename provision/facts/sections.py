"""Splitting the fact script's output into its sections of raw text."""

from __future__ import annotations

from dataclasses import dataclass

SECTION_NAMES = frozenset({
    "identity", "lock", "reboot-pending", "provision-holds", "os-release", "modules", "modprobe",
    "initramfs",
    "nvidia-module-files", "nvidia-proc-version", "nvidia-gpu", "pci", "nvidia-userspace",
    "packages", "held-packages", "apt-source", "open-files", "cuda-link", "cuda-alternative",
    "cuda-alias", "cuda-toolkit",
    "cuda-version-json", "cuda-version-txt", "cuda-header", "cudnn-header", "conda-prefix",
    "conda-env", "pip-dist", "libtorch", "shell-user", "shell-file", "file", "secret-file",
    "end",
})  # fmt: skip
"""Every section the fact script (`templates/facts.sh.j2`) prints, named once: the
parsers ask only for these, and the recorded fixtures are checked against them."""


@dataclass(frozen=True)
class Section:
    """One section: its name, the rest of its header line, and its raw text."""

    name: str
    argument: str
    text: str

    def lines(self) -> list[str]:
        """The text's lines, without blank ones."""
        return [line for line in self.text.splitlines() if line.strip()]

    def fields(self) -> dict[str, str]:
        """`word rest-of-line` lines as a mapping (the last one of a word wins)."""
        pairs = (line.partition(" ") for line in self.lines())
        return {word: rest.strip() for word, _, rest in pairs}


@dataclass(frozen=True)
class Sections:
    """All sections of one run, in order; a section the script did not print is absent."""

    items: tuple[Section, ...]

    def all(self, name: str) -> list[Section]:
        """Every section called `name`."""
        if name not in SECTION_NAMES:
            raise ValueError(f"the fact script prints no section {name!r}")
        return [section for section in self.items if section.name == name]

    def first(self, name: str) -> Section | None:
        """The first section called `name`, or None."""
        found = self.all(name)
        return found[0] if found else None

    def text(self, name: str) -> str:
        """The text of the first section called `name` ('' when absent)."""
        section = self.first(name)
        return section.text if section else ""

    @property
    def complete(self) -> bool:
        """Whether the script ran to its end."""
        return self.first("end") is not None


def decode(output: bytes) -> str:
    """The script's output as text; bytes that are not UTF-8 survive as surrogates,
    so file contents can be hashed byte for byte later."""
    return output.decode("utf-8", "surrogateescape")


def split_sections(output: str, key: str) -> Sections:
    """Cut `output` at each `\\n@@KEY ` header; a section's text is exactly what the
    script printed between its header line and the newline before the next header."""
    marker = f"\n@@{key} "
    chunks = output.split(marker)
    items = []
    for chunk in chunks[1:]:
        header, _, text = chunk.partition("\n")
        name, _, argument = header.partition(" ")
        items.append(Section(name=name, argument=argument, text=text))
    return Sections(items=tuple(items))
