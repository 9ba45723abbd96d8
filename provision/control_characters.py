"""Control characters in input: refused in names, escaped wherever input is shown.

A newline in a host name splits it in a retry file, an escape sequence in a play name
rewrites the terminal that shows it. Names (hosts, groups) may hold none; any other text
that came from input is shown through `escaped`, so one message stays one line.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Unicode's control characters (category Cc) and its line and paragraph separators."""


def has_control_character(text: str) -> bool:
    """Whether `text` holds a C0 or C1 control character, DEL, or a line or paragraph
    separator: any of them breaks a line-per-name file or a terminal line."""
    return _CONTROL.search(text) is not None


def escaped(text: str) -> str:
    """`text` with each control character written as Python writes it in a repr (`\\n`,
    `\\x1b`), everything else as is."""
    if not has_control_character(text):
        return text
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)
