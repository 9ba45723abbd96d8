"""Text marked `!unsafe` in YAML: a value Ansible passes on as is and never renders.

Kept apart from the inventory package so that the templating can recognise it without
importing the inventory.
"""

from __future__ import annotations


class UnsafeText(str):
    """A string that is data, never a template (`{{ ... }}` in it stays literal)."""

    __slots__ = ()
