"""The base of every desired-state model: unknown keys are errors, values never change."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StateModel(BaseModel):
    """A part of a host's desired state: strict about keys, immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)
