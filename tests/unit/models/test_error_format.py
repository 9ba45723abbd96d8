"""format_validation_error on models other than HostState: union tags never reach the path."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from provision.models.errors import format_validation_error

Step = Annotated[int, Field(ge=1)] | str


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    serial: Step | list[Step] | None = None
    inner: Inner | None = None
    items: list[Inner] = []
    ratio: float = 0.0


def message(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        Outer.model_validate(data)
    return format_validation_error(caught.value, "f.yaml: play 2", Outer)


def test_union_member_errors_count_once_and_report_the_deepest() -> None:
    assert message({"serial": [0]}) == (
        "f.yaml: play 2: serial[0]: Input should be greater than or equal to 1"
    )


def test_nested_models_and_lists_give_dotted_paths() -> None:
    assert message({"items": [{"name": "a"}, {"nmae": "b"}]}) == (
        "f.yaml: play 2: items[1].nmae: unknown key (did you mean 'name'?)"
    )
    assert (
        message({"inner": {"name": 3}}) == "f.yaml: play 2: inner.name: expected a string, got int"
    )


def test_a_prefix_goes_in_front_of_the_path() -> None:
    with pytest.raises(ValidationError) as caught:
        Outer.model_validate({"ratio": "high"})
    text = format_validation_error(caught.value, "w", Outer, prefix="state")
    assert text == "w: state.ratio: expected a number, got string"


def test_errors_of_other_fields_are_counted() -> None:
    assert message({"ratio": "x", "inner": {}, "items": "no"}) == (
        "f.yaml: play 2: inner.name: required key is missing (and 2 more errors)"
    )
