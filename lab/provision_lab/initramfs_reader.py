"""Lists the files of an initramfs image (concatenated newc cpio archives, some compressed).

The lab reads the initrd a host built with `update-initramfs` to decide, at the host's
next boot, whether the nouveau blacklist was in it, as it is on a real machine.
"""

from __future__ import annotations

import gzip
import lzma

NEWC_MAGIC = b"070701"
HEADER_SIZE = 110
TRAILER = "TRAILER!!!"


class InitramfsFormatError(ValueError):
    """The image is not a cpio archive the lab can read (e.g. an unknown compressor)."""


def _align4(value: int) -> int:
    return (value + 3) & ~3


def _read_cpio(data: bytes, position: int, files: dict[str, bytes]) -> int:
    """Read one newc archive starting at `position` into `files`; return where it ended."""
    while True:
        header = data[position : position + HEADER_SIZE]
        if header[:6] != NEWC_MAGIC:
            raise InitramfsFormatError(f"bad cpio header at byte {position}")
        name_size = int(header[94:102], 16)
        file_size = int(header[54:62], 16)
        name_start = position + HEADER_SIZE
        name = data[name_start : name_start + name_size - 1].decode(errors="replace")
        body_start = _align4(name_start + name_size)
        position = _align4(body_start + file_size)
        if name == TRAILER:
            return position
        files[name.removeprefix("./")] = data[body_start : body_start + file_size]


def _decompress(data: bytes) -> bytes:
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:6] == b"\xfd7zXZ\x00" or data[:3] == b"\x5d\x00\x00":
        return lzma.decompress(data)
    raise InitramfsFormatError(
        f"unsupported initramfs compression (magic {data[:4].hex()}); the lab image uses gzip"
    )


def initramfs_files(image: bytes) -> dict[str, bytes]:
    """Path (without leading `./` or `/`) -> contents of every file in the image."""
    files: dict[str, bytes] = {}
    position = 0
    while position < len(image):
        if image[position : position + 6] == NEWC_MAGIC:
            position = _read_cpio(image, position, files)
        elif image[position] == 0:
            position += 1
        else:
            rest = _decompress(image[position:])
            inner = 0
            while inner < len(rest):
                if rest[inner] == 0:
                    inner += 1
                    continue
                inner = _read_cpio(rest, inner, files)
            break
    return files
