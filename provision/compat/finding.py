"""A compatibility finding: an error stops a playbook, a warning is printed and let through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Finding:
    """One problem with a desired state, naming the fields involved (dotted paths)."""

    level: Literal["error", "warning"]
    fields: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {', '.join(self.fields)}: {self.message}"


def error(fields: tuple[str, ...], message: str) -> Finding:
    """An error finding."""
    return Finding("error", fields, message)


def warning(fields: tuple[str, ...], message: str) -> Finding:
    """A warning finding."""
    return Finding("warning", fields, message)
