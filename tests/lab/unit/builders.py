"""Builders of the binary formats the lab reads: ELF kernel modules and initramfs cpio."""

from __future__ import annotations

import gzip
import struct


def elf_module(modinfo: dict[str, str]) -> bytes:
    """A minimal ELF64 relocatable object whose `.modinfo` section holds `modinfo`."""
    section = b"".join(f"{key}={value}".encode() + b"\0" for key, value in modinfo.items())
    names = b"\0.modinfo\0.shstrtab\0"
    body_offset = 64
    names_offset = body_offset + len(section)
    section_table = names_offset + len(names)
    header = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    header += struct.pack("<HHIQQQIHHHHHH", 1, 62, 1, 0, 0, section_table, 0, 64, 0, 0, 64, 3, 2)
    null = bytes(64)
    modinfo_header = struct.pack("<IIQQQQIIQQ", 1, 1, 0, 0, body_offset, len(section), 0, 0, 1, 0)
    names_header = struct.pack("<IIQQQQIIQQ", 10, 3, 0, 0, names_offset, len(names), 0, 0, 1, 0)
    return header + section + names + null + modinfo_header + names_header


def newc_archive(files: dict[str, bytes]) -> bytes:
    """A newc cpio archive of regular files, with its trailer."""
    out = b""
    for number, (name, data) in enumerate([*files.items(), ("TRAILER!!!", b"")]):
        encoded = name.encode() + b"\0"
        fields = [number + 1, 0o100644, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0]
        out += b"070701" + b"".join(f"{field:08X}".encode() for field in fields)
        out += encoded + bytes(-(110 + len(encoded)) % 4)
        out += data + bytes(-len(data) % 4)
    return out


def initramfs(files: dict[str, bytes], early: dict[str, bytes] | None = None) -> bytes:
    """An initramfs as mkinitramfs writes it: an optional uncompressed early archive, then
    the main archive gzip-compressed."""
    prefix = newc_archive(early) if early else b""
    return prefix + gzip.compress(newc_archive(files))
