"""The managed CUDA block of a shell start-up file, edited as bytes.

The block is the lines between a line that is exactly `# BEGIN provision: cuda` and one
that is exactly `# END provision: cuda` (a trailing CR allowed, as the facts parser reads
them). Every byte outside the block is kept as it was: undecodable bytes, CRLF line ends,
a missing final newline, and lines that only resemble a marker (indented, or with more
text) are the user's. Pure: the runner reads the file and writes the result atomically.

A new block goes before the file's interactivity guard when it has one: Debian's and
Ubuntu's default `.bashrc` returns early for non-interactive shells (`case $- in ...
*) return;; esac`, `[ -z "$PS1" ] && return`), so a block appended at the end would never
reach `bash -lc`, `ssh host cmd` or cron.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

BEGIN_MARKER = b"# BEGIN provision: cuda"
END_MARKER = b"# END provision: cuda"
_CASE_FLAGS = re.compile(rb"""case\s+("?)\$(?:-|\{-\})\1\s+in\b""")
_TEST_INTERACTIVE = re.compile(rb"""(?:\[|test\b|if\b).*(?:\$-|\$\{-\}|PS1).*\breturn\b""")
_RETURN = re.compile(rb"\breturn\b")
_ESAC = re.compile(rb"\besac\b")
_GUARD_CASE_LINES = 8
_CUDA_EXPORT = re.compile(
    rb"^\s*(?:export\s+)?(PATH|LD_LIBRARY_PATH|LIBRARY_PATH|CUDA_HOME|CUDA_PATH|CUDA_ROOT|CUDACXX)"
    rb"\s*="
)


class UnterminatedBlockError(ValueError):
    """The file has a begin marker without an end marker: where the block ends is unknown,
    so nothing is edited rather than guessing which of the user's lines to replace."""


def split_lines(content: bytes) -> list[bytes]:
    """Lines split after each LF only (CR and other line breaks stay inside a line)."""
    parts = content.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _is_marker(line: bytes, marker: bytes) -> bool:
    return line.removesuffix(b"\n").removesuffix(b"\r") == marker


@dataclass(frozen=True)
class BlockScan:
    """Where the managed blocks of a file's lines are: each complete block as (begin line
    index, end line index), a begin marker left without its end, and the CUDA exports
    (line indexes) outside every block. The one reading of the block's grammar, shared by
    the editor and the facts parser."""

    blocks: tuple[tuple[int, int], ...]
    unterminated: int | None
    cuda_exports: tuple[int, ...]


def scan_blocks(lines: list[bytes]) -> BlockScan:
    """The blocks and the outside CUDA exports of `lines` (from `split_lines`)."""
    blocks = []
    exports = []
    begin: int | None = None
    for index, line in enumerate(lines):
        if begin is None and _is_marker(line, BEGIN_MARKER):
            begin = index
        elif begin is not None and _is_marker(line, END_MARKER):
            blocks.append((begin, index))
            begin = None
        elif begin is None and _CUDA_EXPORT.match(line) and b"cuda" in line.lower():
            exports.append(index)
    return BlockScan(tuple(blocks), begin, tuple(exports))


def _blocks(lines: list[bytes]) -> tuple[tuple[int, int], ...]:
    """(begin line index, end line index) of every complete block, in order."""
    scan = scan_blocks(lines)
    if scan.unterminated is not None:
        raise UnterminatedBlockError(
            f"line {scan.unterminated + 1} begins the managed block but no "
            "'# END provision: cuda' follows"
        )
    return scan.blocks


def _check_body(block: bytes) -> bytes:
    body = block if not block or block.endswith(b"\n") else block + b"\n"
    for line in split_lines(body):
        if _is_marker(line, BEGIN_MARKER) or _is_marker(line, END_MARKER):
            raise ValueError("the block's content must not contain the block's own markers")
    return body


def _region(body: bytes, end_line_ending: bytes) -> bytes:
    return BEGIN_MARKER + b"\n" + body + END_MARKER + end_line_ending


def _is_case_guard(lines: list[bytes], index: int) -> bool:
    """Whether a `case $- in` starting at `index` returns in one of its branches."""
    for line in lines[index : index + _GUARD_CASE_LINES]:
        if _RETURN.search(line):
            return True
        if _ESAC.search(line):
            return False
    return False


def interactivity_guard(lines: list[bytes]) -> int | None:
    """The index of the first unindented line that returns from the file when the shell is
    not interactive (`case $- in` with a `return` branch, `[ -z "$PS1" ] && return`,
    `[[ $- != *i* ]] && return`), or None. Indented lines are left out: they may sit in
    a function or a condition, where a block must not go."""
    for index, line in enumerate(lines):
        if _CASE_FLAGS.match(line):
            if _is_case_guard(lines, index):
                return index
        elif _TEST_INTERACTIVE.match(line):
            return index
    return None


def _comments_above(lines: list[bytes], index: int) -> int:
    """The index of the first of the comment lines right above `index` (Debian's "If not
    running interactively, don't do anything"), so the block does not split them."""
    while index > 0 and lines[index - 1].startswith(b"#"):
        index -= 1
    return index


def apply_block(original: bytes | None, block: bytes) -> bytes:
    """`original` with its managed block holding `block` (the lines between the markers).

    A missing or empty file becomes just the block; a file without a block gets it just
    before its interactivity guard, or else appended (after a newline when its last line
    has none, and then without a final newline, so the file keeps its style); an existing
    block is replaced where it is and any further blocks are removed. Applying twice gives
    the same bytes as applying once.
    """
    body = _check_body(block)
    if not original:
        return _region(body, b"\n")
    lines = split_lines(original)
    blocks = _blocks(lines)
    if not blocks:
        guard = interactivity_guard(lines)
        if guard is not None:
            at = _comments_above(lines, guard)
            return b"".join(lines[:at]) + _region(body, b"\n") + b"".join(lines[at:])
        if original.endswith(b"\n"):
            return original + _region(body, b"\n")
        return original + b"\n" + _region(body, b"")
    first_begin, first_end = blocks[0]
    ending = lines[first_end][len(END_MARKER) :]
    kept = _without_blocks(lines, blocks[1:])
    offset = first_end - first_begin + 1
    before = b"".join(kept[:first_begin])
    after = b"".join(kept[first_begin + offset :])
    return before + _region(body, ending) + after


def _without_blocks(lines: list[bytes], blocks: Sequence[tuple[int, int]]) -> list[bytes]:
    """`lines` without the given blocks; a block that ends the file without a final newline
    also takes the newline before it (the one `apply_block` added)."""
    kept = list(lines)
    for begin, end in reversed(blocks):
        at_end_unterminated = end == len(kept) - 1 and not kept[end].endswith(b"\n")
        del kept[begin : end + 1]
        if at_end_unterminated and begin > 0:
            kept[begin - 1] = kept[begin - 1].removesuffix(b"\n")
    return kept
