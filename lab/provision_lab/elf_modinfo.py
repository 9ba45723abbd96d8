"""Reads a Linux kernel module's `.modinfo` section (what `modinfo` prints) in pure Python.

The lab decides which NVIDIA driver a host "loads" at boot from the module file that
the host itself installed, the way the kernel would; no flag can stand in for that.
"""

from __future__ import annotations

import lzma
import struct
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


class ModuleFormatError(ValueError):
    """The file is not a kernel module the lab can read."""


def _section_table(data: bytes) -> tuple[str, list[tuple[int, int, int]]]:
    """Byte order and the (name offset, file offset, size) of each section header."""
    if data[:4] != ELF_MAGIC:
        raise ModuleFormatError("not an ELF file")
    is_64 = data[4] == 2
    order = "<" if data[5] == 1 else ">"
    if is_64:
        (shoff,) = struct.unpack_from(order + "Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", data, 0x3A)
        layout, name_at, offset_at = order + "IIQQQQ", 0, (4, 5)
    else:
        (shoff,) = struct.unpack_from(order + "I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", data, 0x2E)
        layout, name_at, offset_at = order + "IIIIII", 0, (4, 5)
    sections = []
    for index in range(shnum):
        fields = struct.unpack_from(layout, data, shoff + index * shentsize)
        sections.append((fields[name_at], fields[offset_at[0]], fields[offset_at[1]]))
    if shstrndx >= len(sections):
        raise ModuleFormatError("no section name table")
    return order, [*sections, sections[shstrndx]]


def read_modinfo(data: bytes) -> dict[str, str]:
    """The key=value pairs of the module's `.modinfo` section (first value per key)."""
    try:
        _, sections = _section_table(data)
        names = sections.pop()
        for name_offset, offset, size in sections:
            start = names[1] + name_offset
            name = data[start : data.index(b"\0", start)]
            if name == b".modinfo":
                return _parse_pairs(data[offset : offset + size])
    except (struct.error, IndexError, ValueError) as error:
        raise ModuleFormatError(f"unreadable ELF: {error}") from error
    raise ModuleFormatError("no .modinfo section")


def _parse_pairs(section: bytes) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for entry in section.split(b"\0"):
        key, separator, value = entry.decode(errors="replace").partition("=")
        if separator and key not in pairs:
            pairs[key] = value
    return pairs


def module_version(path: Path) -> str | None:
    """The `version=` of kernel module `path` (`.ko` or `.ko.xz`), or None if it has none."""
    data = path.read_bytes()
    if path.name.endswith(".xz"):
        data = lzma.decompress(data)
    return read_modinfo(data).get("version")
