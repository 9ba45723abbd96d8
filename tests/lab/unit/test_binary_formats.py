"""The lab's readers of kernel modules (ELF .modinfo) and initramfs images (cpio)."""

from __future__ import annotations

import lzma
from pathlib import Path

import pytest
from builders import elf_module, initramfs

from provision_lab.elf_modinfo import ModuleFormatError, module_version, read_modinfo
from provision_lab.initramfs_reader import InitramfsFormatError, initramfs_files


def test_modinfo_pairs_are_read_from_the_elf_section() -> None:
    data = elf_module({"version": "535.154.05", "license": "NVIDIA", "name": "nvidia"})
    assert read_modinfo(data) == {"version": "535.154.05", "license": "NVIDIA", "name": "nvidia"}


def test_module_version_reads_plain_and_xz_modules(tmp_path: Path) -> None:
    plain = tmp_path / "nvidia.ko"
    plain.write_bytes(elf_module({"version": "550.54.15"}))
    packed = tmp_path / "nvidia.ko.xz"
    packed.write_bytes(lzma.compress(elf_module({"version": "515.105.01"})))
    assert module_version(plain) == "550.54.15"
    assert module_version(packed) == "515.105.01"


def test_a_module_without_version_has_none(tmp_path: Path) -> None:
    module = tmp_path / "nvidia.ko"
    module.write_bytes(elf_module({"license": "GPL"}))
    assert module_version(module) is None


@pytest.mark.parametrize("data", [b"not an elf at all", b"\x7fELF" + bytes(20)])
def test_garbage_is_not_a_module(data: bytes) -> None:
    with pytest.raises(ModuleFormatError):
        read_modinfo(data)


def test_initramfs_files_reads_early_and_compressed_archives() -> None:
    image = initramfs(
        {"etc/modprobe.d/blacklist-nouveau.conf": b"blacklist nouveau\n", "init": b"#!/bin/sh\n"},
        early={"kernel/x86/microcode/GenuineIntel.bin": b"\x01\x02"},
    )
    files = initramfs_files(image)
    assert files["etc/modprobe.d/blacklist-nouveau.conf"] == b"blacklist nouveau\n"
    assert files["init"] == b"#!/bin/sh\n"
    assert files["kernel/x86/microcode/GenuineIntel.bin"] == b"\x01\x02"


def test_an_unknown_compressor_is_reported() -> None:
    with pytest.raises(InitramfsFormatError, match="unsupported initramfs compression"):
        initramfs_files(b"\x28\xb5\x2f\xfd" + bytes(32))
