"""The managed block edit on bytes: everything outside the markers survives byte for byte."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from provision.facts.shell_profile import parse_block
from provision.profile_block import (
    UnterminatedBlockError,
    apply_block,
    interactivity_guard,
    scan_blocks,
    split_lines,
)

BLOCK = b'export CUDA_HOME=/usr/local/cuda-11.8\nexport PATH="$CUDA_HOME/bin:$PATH"\n'
OTHER = b"export CUDA_HOME=/usr/local/cuda-12.1\n"
BEGIN = b"# BEGIN provision: cuda"
END = b"# END provision: cuda"
# The head of Debian 12's /etc/skel/.bashrc (bash 5.2.15-2), byte for byte.
DEBIAN_SKEL_HEAD = (
    b"# ~/.bashrc: executed by bash(1) for non-login shells.\n"
    b"# see /usr/share/doc/bash/examples/startup-files (in the package bash-doc)\n"
    b"# for examples\n"
    b"\n"
    b"# If not running interactively, don't do anything\n"
    b"case $- in\n"
    b"    *i*) ;;\n"
    b"      *) return;;\n"
    b"esac\n"
    b"\n"
    b"# don't put duplicate lines or lines starting with space in the history.\n"
    b"HISTCONTROL=ignoreboth\n"
)
DEBIAN_GUARD = (
    b"# If not running interactively, don't do anything\n"
    b"case $- in\n    *i*) ;;\n      *) return;;\nesac\n"
)

# Lines a user's file may hold: anything, plus lookalikes of our markers and CRLF ends.
lookalike_lines = st.sampled_from(
    [
        b"  # BEGIN provision: cuda\n",
        b"# BEGIN provision: cuda (old)\n",
        b"# END provision: cuda!\n",
        b"\t# END provision: cuda\n",
        b"#BEGIN provision: cuda\n",
        b"export PATH=/usr/local/cuda/bin:$PATH\r\n",
        b"\xff\xfe not utf-8 \x80\n",
        b"# END provision: cuda\n",
        b"\r\n",
        b"case $- in\n",
        b"    *i*) ;;\n",
        b"      *) return;;\n",
        b"esac\n",
        b'[ -z "$PS1" ] && return\n',
        b"# If not running interactively, don't do anything\n",
    ]
)
user_lines = st.one_of(lookalike_lines, st.binary(max_size=40))
user_content = st.lists(user_lines, max_size=12).map(b"".join)
block_lines = st.lists(
    st.binary(max_size=30).filter(lambda line: b"\n" not in line).map(lambda line: line + b"\n"),
    max_size=5,
).map(b"".join)


def read_block(content: bytes) -> bytes | None:
    """The lines of the first block, or None when the file has none."""
    lines = split_lines(content)
    blocks = scan_blocks(lines).blocks
    return b"".join(lines[blocks[0][0] + 1 : blocks[0][1]]) if blocks else None


def remove_block(content: bytes) -> bytes:
    """`content` without its one block (and without the newline `apply_block` adds before
    a block it appends to a file whose last line has none)."""
    lines = split_lines(content)
    ((begin, end),) = scan_blocks(lines).blocks
    head = b"".join(lines[:begin])
    if not lines[end].endswith(b"\n"):
        head = head.removesuffix(b"\n")
    return head + b"".join(lines[end + 1 :])


def _has_begin(content: bytes) -> bool:
    return any(line.rstrip(b"\n").rstrip(b"\r") == BEGIN for line in split_lines(content))


def _valid_block(block: bytes) -> bool:
    return not any(line.rstrip(b"\n").rstrip(b"\r") in (BEGIN, END) for line in split_lines(block))


@given(user_content, block_lines)
def test_content_outside_the_markers_survives_byte_for_byte(original: bytes, block: bytes) -> None:
    assume(not _has_begin(original) and _valid_block(block))
    applied = apply_block(original, block)
    assert remove_block(applied) == original
    assert read_block(applied) == block
    if interactivity_guard(split_lines(original)) is None:
        assert applied.startswith(original)


@given(user_content, block_lines)
def test_applying_twice_equals_applying_once(original: bytes, block: bytes) -> None:
    assume(not _has_begin(original) and _valid_block(block))
    once = apply_block(original, block)
    assert apply_block(once, block) == once


@given(user_content, user_content, block_lines)
def test_a_block_between_user_content_is_replaced_in_place(
    head: bytes, tail: bytes, block: bytes
) -> None:
    assume(not _has_begin(head) and not _has_begin(tail) and _valid_block(block))
    head = head if head.endswith(b"\n") or not head else head + b"\n"
    original = head + BEGIN + b"\n" + OTHER + END + b"\n" + tail
    replaced = apply_block(original, block)
    assert replaced == head + BEGIN + b"\n" + block + END + b"\n" + tail
    assert replaced.count(BEGIN + b"\n") == original.count(BEGIN + b"\n")


@given(user_content, block_lines)
def test_the_facts_parser_reads_the_block_it_wrote(original: bytes, block: bytes) -> None:
    assume(not _has_begin(original) and _valid_block(block))
    found, _ = parse_block(apply_block(original, block).decode("utf-8", "surrogateescape"))
    assert found is not None
    assert found.count == 1 and found.terminated
    assert found.sha256 == hashlib.sha256(block).hexdigest()


def test_a_missing_or_empty_file_becomes_the_block() -> None:
    expected = BEGIN + b"\n" + BLOCK + END + b"\n"
    assert apply_block(None, BLOCK) == expected
    assert apply_block(b"", BLOCK) == expected


def test_no_final_newline_is_kept_and_crlf_lines_untouched() -> None:
    original = b"alias ll='ls -l'\r\nexport EDITOR=vi"
    applied = apply_block(original, BLOCK)
    assert applied == original + b"\n" + BEGIN + b"\n" + BLOCK + END
    assert remove_block(applied) == original


def test_marker_lookalikes_are_the_users() -> None:
    original = b"  # BEGIN provision: cuda\n# END provision: cuda (mine)\n"
    applied = apply_block(original, BLOCK)
    assert applied == original + BEGIN + b"\n" + BLOCK + END + b"\n"


def test_duplicate_blocks_collapse_into_the_first() -> None:
    region = BEGIN + b"\n" + OTHER + END + b"\n"
    original = b"a\n" + region + b"b\n" + region + b"c\n"
    assert apply_block(original, BLOCK) == b"a\n" + BEGIN + b"\n" + BLOCK + END + b"\nb\nc\n"


def test_an_end_marker_with_crlf_keeps_its_line_end() -> None:
    original = b"x\r\n" + BEGIN + b"\r\n" + OTHER + END + b"\r\ny\r\n"
    assert apply_block(original, BLOCK) == b"x\r\n" + BEGIN + b"\n" + BLOCK + END + b"\r\ny\r\n"


def test_an_unterminated_block_is_not_guessed_at() -> None:
    with pytest.raises(UnterminatedBlockError, match="line 2"):
        apply_block(b"keep me\n" + BEGIN + b"\nexport A=1\n", BLOCK)


def test_a_block_holding_a_marker_is_rejected() -> None:
    with pytest.raises(ValueError, match="markers"):
        apply_block(b"", END + b"\n")


def test_a_block_without_final_newline_gets_one() -> None:
    assert read_block(apply_block(b"", b"export A=1")) == b"export A=1\n"


def test_unmanaged_cuda_exports_outside_the_block_are_found() -> None:
    content = (
        b"export PATH=/usr/local/cuda-12.1/bin:$PATH\n"
        + BEGIN
        + b"\nexport CUDA_HOME=/usr/local/cuda-11.8\n"
        + END
        + b"\n  LD_LIBRARY_PATH=/usr/local/cuda/lib64\r\nexport PATH=$HOME/bin:$PATH\n"
    )
    _, exports = parse_block(content.decode())
    assert [(line.number, line.text) for line in exports] == [
        (1, "export PATH=/usr/local/cuda-12.1/bin:$PATH"),
        (5, "  LD_LIBRARY_PATH=/usr/local/cuda/lib64"),
    ]


def _non_interactive_cuda_home(tmp_path: Path, content: bytes) -> str:
    """What `CUDA_HOME` a non-interactive bash (ssh host cmd, cron) sees after the file."""
    bashrc = tmp_path / "bashrc"
    bashrc.write_bytes(content)
    script = f'. {bashrc}; printf %s "$CUDA_HOME"'
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        capture_output=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    return result.stdout.decode()


def test_a_new_block_goes_before_debians_interactivity_guard(tmp_path: Path) -> None:
    applied = apply_block(DEBIAN_SKEL_HEAD, BLOCK)
    head = DEBIAN_SKEL_HEAD.split(DEBIAN_GUARD)[0]
    assert applied.startswith(head + BEGIN + b"\n" + BLOCK + END + b"\n" + DEBIAN_GUARD)
    assert remove_block(applied) == DEBIAN_SKEL_HEAD
    assert apply_block(applied, BLOCK) == applied
    assert _non_interactive_cuda_home(tmp_path, applied) == "/usr/local/cuda-11.8"


def test_a_block_appended_after_the_guard_is_what_non_interactive_shells_miss(
    tmp_path: Path,
) -> None:
    appended = DEBIAN_SKEL_HEAD + BEGIN + b"\n" + BLOCK + END + b"\n"
    assert _non_interactive_cuda_home(tmp_path, appended) == ""


def test_an_existing_block_after_the_guard_is_replaced_where_it_is() -> None:
    original = DEBIAN_SKEL_HEAD + BEGIN + b"\n" + OTHER + END + b"\n"
    assert apply_block(original, BLOCK) == DEBIAN_SKEL_HEAD + BEGIN + b"\n" + BLOCK + END + b"\n"


@pytest.mark.parametrize(
    "guard",
    [
        b'[ -z "$PS1" ] && return\n',
        b"[[ $- != *i* ]] && return\n",
        b'case "$-" in *i*) ;; *) return;; esac\n',
    ],
)
def test_other_interactivity_guards_get_the_block_before_them(guard: bytes) -> None:
    original = b"# ~/.bashrc\n\n" + guard + b"alias ll='ls -l'\n"
    applied = apply_block(original, BLOCK)
    assert applied == b"# ~/.bashrc\n\n" + BEGIN + b"\n" + BLOCK + END + b"\n" + guard + (
        b"alias ll='ls -l'\n"
    )


@pytest.mark.parametrize(
    "content",
    [
        b'  [ -z "$PS1" ] && return\n',
        b"case $- in\n  *i*) PS1='> ';;\nesac\n",
        b'[ -n "$PS1" ] && echo hello\n',
    ],
)
def test_indented_or_non_returning_lines_are_not_guards(content: bytes) -> None:
    assert interactivity_guard(split_lines(content)) is None
    assert apply_block(content, BLOCK) == content + BEGIN + b"\n" + BLOCK + END + b"\n"
