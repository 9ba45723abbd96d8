"""The limits that keep the cost of reading any input bounded (README, "Limits on input").

Playbooks, inventories and `-e` values are user input: however they are written, reading
them must end in a result or one `InputError` line, never a RecursionError, a hang or
memory exhausted. The YAML reader (`yaml_documents`), the inventory readers and the
templates apply these limits; `data_problem` checks data that did not come through YAML.
"""

from __future__ import annotations

from typing import Any

MAX_NESTING_DEPTH = 100
"""Mappings and lists inside one another, at most (deeper input would overflow the stack
of the recursive code that walks it)."""

MAX_ALIAS_NODES = 100_000
"""Nodes YAML aliases may add to one document, each alias counted as a copy of what it
names (a few aliases of aliases otherwise expand to billions: "billion laughs")."""

MAX_INTEGER_DIGITS = 1000
"""Characters of one integer in input, and about the decimal digits of a template's
integer result (Python cannot even print integers past 4300 digits)."""

INTEGER_BOUND = 10**MAX_INTEGER_DIGITS
"""The smallest integer of more than MAX_INTEGER_DIGITS digits."""

MAX_INPUT_BYTES = 32 * 1024 * 1024
"""Size of one input file (playbook, inventory, vars or retry file)."""

MAX_FOLDER_DEPTH = 32
"""Folders inside one another that an inventory or vars folder may hold."""


def is_ascii_number(text: str) -> bool:
    """Whether `text` is ASCII digits only: `'²'.isdigit()` is true, but `int('²')` fails."""
    return text.isascii() and text.isdigit()


def data_problem(value: Any) -> str | None:
    """What makes parsed `value` too large to use (too deep, an integer too long), or None.

    Walks iteratively, so a value nested past the limit is reported rather than
    overflowing the stack; shared sub-values are walked once."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    seen: set[int] = set()
    while pending:
        item, depth = pending.pop()
        if isinstance(item, int) and not isinstance(item, bool):
            if abs(item) >= INTEGER_BOUND:
                return f"an integer has more than {MAX_INTEGER_DIGITS} digits"
            continue
        if not isinstance(item, dict | list | tuple | set | frozenset) or id(item) in seen:
            continue
        if depth >= MAX_NESTING_DEPTH:
            return f"nested more than {MAX_NESTING_DEPTH} levels deep"
        seen.add(id(item))
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children)
    return None
