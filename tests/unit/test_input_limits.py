"""The limits of input that did not come through YAML (JSON inventories, INI values)."""

from __future__ import annotations

from typing import Any

import pytest

from provision.input_limits import data_problem, is_ascii_number


def nested(depth: int) -> Any:
    value: Any = []
    for _level in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value", [nested(100), {"a": nested(99)}, 10**1000 - 1, -(10**1000) + 1, "x" * 10**6, None]
)
def test_values_within_the_limits_have_no_problem(value: Any) -> None:
    assert data_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (nested(101), "nested more than 100 levels deep"),
        (nested(50_000), "nested more than 100 levels deep"),
        ({"a": {"b": nested(99)}}, "nested more than 100 levels deep"),
        ([10**1000], "an integer has more than 1000 digits"),
        ({"key": -(10**1001)}, "an integer has more than 1000 digits"),
        ((1, {2, frozenset({10**1001})}), "an integer has more than 1000 digits"),
    ],
)
def test_values_past_a_limit_are_named(value: Any, problem: str) -> None:
    assert data_problem(value) == problem


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", True), ("22", True), ("²", False), ("٣", False), ("", False), ("2 ", False)],
)
def test_only_ascii_digits_are_a_number(text: str, number: bool) -> None:
    assert is_ascii_number(text) is number
