"""Users' shell start-up files: the managed CUDA block and CUDA exports outside it.

The block is the lines strictly between a line that is exactly `# BEGIN provision: cuda`
and one that is exactly `# END provision: cuda` (a trailing CR allowed); its `sha256` is
taken over those lines' exact bytes, line ends included, so any edit shows as drift.
"""

from __future__ import annotations

import hashlib
import re

from provision.facts.base import FactModel, release_of
from provision.facts.sections import Sections, decode
from provision.profile_block import scan_blocks, split_lines

SHELL_FILES = (".bashrc", ".bash_profile", ".profile")
_CUDA_HOME = re.compile(r"^\s*(?:export\s+)?CUDA_HOME=[\"']?([^\"'\s:]+)")
_CUDA_BIN = re.compile(r"(/[^\s:\"']*cuda[^\s:\"'/]*)/bin\b")


class ManagedBlock(FactModel):
    """The managed block of one file."""

    content: str
    sha256: str
    cuda_home: str | None
    cuda_release: str | None
    terminated: bool
    count: int


class ShellLine(FactModel):
    """A line of a shell file (1-based number, text without its line end)."""

    number: int
    text: str


class ShellFile(FactModel):
    """One start-up file of a user."""

    path: str
    state: str
    block: ManagedBlock | None
    unmanaged_exports: tuple[ShellLine, ...]


class UserShell(FactModel):
    """A configured user's start-up files (`home` is None for an unknown user)."""

    user: str
    home: str | None
    files: tuple[ShellFile, ...]


def _activated(content: str) -> str | None:
    for line in content.splitlines():
        match = _CUDA_HOME.match(line)
        if match:
            return match[1]
    match = _CUDA_BIN.search(content)
    return match[1] if match else None


def parse_block(text: str) -> tuple[ManagedBlock | None, list[ShellLine]]:
    """(the managed block, CUDA exports outside it) of a file's content, read with the
    block editor's own grammar (`provision.profile_block.scan_blocks`)."""
    lines = split_lines(text.encode("utf-8", "surrogateescape"))
    scan = scan_blocks(lines)
    unmanaged = [
        ShellLine(number=index + 1, text=decode(lines[index]).rstrip("\r\n"))
        for index in scan.cuda_exports
    ]
    spans = list(scan.blocks)
    if scan.unterminated is not None:
        spans.append((scan.unterminated, len(lines)))
    if not spans:
        return None, unmanaged
    begin, end = spans[0]
    content = decode(b"".join(lines[begin + 1 : end]))
    home = _activated(content)
    block = ManagedBlock(
        content=content,
        sha256=hashlib.sha256(b"".join(lines[begin + 1 : end])).hexdigest(),
        cuda_home=home,
        cuda_release=release_of(home.rsplit("cuda-", 1)[1]) if home and "cuda-" in home else None,
        terminated=scan.unterminated is None,
        count=len(spans),
    )
    return block, unmanaged


def _shell_file(path: str, text: str) -> ShellFile:
    state, _, content = text.partition("\n")
    block, unmanaged = parse_block(content) if state == "content" else (None, [])
    return ShellFile(path=path, state=state, block=block, unmanaged_exports=tuple(unmanaged))


def parse_shell(sections: Sections) -> tuple[UserShell, ...]:
    """Each configured user's start-up files, in the order the script listed them."""
    users = []
    for user_section in sections.all("shell-user"):
        user = user_section.argument
        fields = user_section.fields()
        files = tuple(
            _shell_file(section.argument.partition(" ")[2], section.text)
            for section in sections.all("shell-file")
            if section.argument.partition(" ")[0] == user
        )
        users.append(UserShell(user=user, home=fields.get("home"), files=files))
    return tuple(users)
