"""The base of every fact model, and small helpers the parsers share."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

_RELEASE = re.compile(r"(\d+)\.(\d+)")


class FactModel(BaseModel):
    """A fact read from a host: immutable, and dumped as plain JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _valid_text(cls, value: Any) -> Any:
        return valid_text(value)


def valid_text(value: Any) -> Any:
    """`value` with bytes that were not UTF-8 (kept as surrogates while parsing, so hashes
    see the exact bytes) shown as U+FFFD, so that every fact dumps to valid JSON."""
    if isinstance(value, str):
        if value.isascii():
            return value
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if isinstance(value, tuple | list):
        return type(value)(valid_text(item) for item in value)
    if isinstance(value, dict):
        return {valid_text(key): valid_text(item) for key, item in value.items()}
    return value


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
