"""The facts parser and the block editor agree on where lines end (LF only)."""

from __future__ import annotations

from provision.facts.shell_profile import parse_block
from provision.profile_block import apply_block, scan_blocks, split_lines


def test_a_marker_after_a_lone_cr_is_not_a_marker_for_either() -> None:
    original = b"export A=1\r# BEGIN provision: cuda\nx\n# END provision: cuda\n"
    block, _ = parse_block(original.decode())
    assert block is None
    assert scan_blocks(split_lines(original)).blocks == ()


def test_facts_read_the_block_the_editor_wrote() -> None:
    body = b"export CUDA_HOME=/usr/local/cuda-11.8\n"
    edited = apply_block(b"alias ll='ls -l'\r\nexport X=1", body)
    block, _ = parse_block(edited.decode())
    assert block is not None
    assert block.content.encode() == body
    assert block.cuda_release == "11.8"
