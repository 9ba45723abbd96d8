"""The base of every fact model, and small helpers the parsers share."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

_RELEASE = re.compile(r"(\d+)\.(\d+)")


class FactModel(BaseModel):
    """A fact read from a host: immutable, and dumped as plain JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def release_of(version: str | None) -> str | None:
    """`X.Y` of a version such as `11.8.89` or `12.1.20230417` (None if none)."""
    if not version:
        return None
    match = _RELEASE.match(version)
    return f"{match[1]}.{match[2]}" if match else None


def unquote(value: str) -> str:
    """An os-release style value without its shell quotes."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
        if value[:1] != "'":
            value = re.sub(r"\\(.)", r"\1", value)
    return value
