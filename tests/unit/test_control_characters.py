"""Control characters: which ones count, and how text holding them is shown."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from provision.control_characters import escaped, has_control_character


def test_the_control_characters_are_unicodes_controls_and_separators() -> None:
    controls = {"Cc", "Zl", "Zp"}
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert has_control_character(char) == (unicodedata.category(char) in controls), hex(code)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain ümlaut", "plain ümlaut"),
        ("a\nb", "a\\nb"),
        ("\x1b[2J", "\\x1b[2J"),
        ("tab\there", "tab\\there"),
        ("del\x7f c1\x85 line\u2028", "del\\x7f c1\\x85 line\\u2028"),
        ("quote ' stays", "quote ' stays"),
    ],
)
def test_escaped_writes_control_characters_as_a_repr_does(text: str, shown: str) -> None:
    assert escaped(text) == shown
    assert not has_control_character(escaped(text))
