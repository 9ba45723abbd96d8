"""INI inventories: sections, host lines, typed values, and the errors for bad lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from provision.errors import InputError
from provision.inventory.ini_format import parse_ini_inventory, parse_ini_value
from provision.inventory.model import InventoryData

VALUES = [
    ("8", 8),
    ("-3", -3),
    ("0.5", 0.5),
    ("True", True),
    ("False", False),
    ("None", None),
    ("true", "true"),
    ("yes", "yes"),
    ("'text'", "text"),
    ('"535.154.05"', "535.154.05"),
    ("535.154.05", "535.154.05"),
    ("[1, 'a']", [1, "a"]),
    ("(1, 2)", [1, 2]),
    ("{'a': 1}", {"a": 1}),
    ('{"a": true}', '{"a": true}'),
    ("hello world", "hello world"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "value"), VALUES)
def test_values_are_typed_as_ansible_types_them(text: str, value: Any) -> None:
    assert parse_ini_value(text) == value
    assert type(parse_ini_value(text)) is type(value)


def parse(text: str) -> InventoryData:
    data = InventoryData()
    parse_ini_inventory(text, Path("hosts.ini"), data)
    return data


def test_host_line_values_are_shell_split_before_typing() -> None:
    data = parse('[gpu]\nws1 a="[1, 2]" b="two words" c=\'7\' d=7 # comment\n')
    assert data.hosts["ws1"].vars == {"a": [1, 2], "b": "two words", "c": 7, "d": 7}


def test_vars_section_types_the_raw_text() -> None:
    data = parse("[gpu]\nws1\n[gpu:vars]\nc='7'\nd = spaced value \n")
    assert data.groups["gpu"].vars == {"c": "7", "d": "spaced value"}


def test_children_may_be_declared_after_their_parent() -> None:
    data = parse("[lab:children]\ngpu\n[gpu]\nws1\n")
    assert data.groups["lab"].children == ["gpu"]
    assert data.groups["gpu"].parents == ["lab"]


def test_host_port_is_set_where_the_host_first_appears() -> None:
    data = parse("[a]\nws1:2222\n[b]\nws1:2200\n")
    assert data.hosts["ws1"].vars == {"ansible_port": 2222}
    assert data.hosts["ws1"].groups == ["a", "b"]


def test_group_priority_is_not_a_variable() -> None:
    data = parse("[gpu]\nws1\n[gpu:vars]\nansible_group_priority=7\n")
    assert data.groups["gpu"].priority == 7
    assert data.groups["gpu"].vars == {}


BAD_LINES = [
    ("[gpu]\ngpu[01:xx]\n", "hosts.ini:2: host range '[01:xx]' in 'gpu[01:xx]' must be numeric"),
    ("[gpu]\ngpu[3:1]\n", "hosts.ini:2: host range '[3:1]' in 'gpu[3:1]' must have begin <= end"),
    ("[gpu:weird]\n", "hosts.ini:1: section [gpu:weird] has unknown type: weird"),
    ("[gpu ]\n", "hosts.ini:1: invalid section entry '[gpu ]'"),
    (
        "[gpu]\nws1 novalue\n",
        "hosts.ini:2: expected key=value host variable assignment, got: novalue",
    ),
    ("[gpu]\nws1 a='open\n", "hosts.ini:2: cannot parse host definition"),
    ("[gpu]\nws1\n[gpu:vars]\njustakey\n", "hosts.ini:4: expected key=value, got: justakey"),
    ("[gpu]\nws1:\n", "hosts.ini:2: invalid host pattern 'ws1:'"),
    (
        "[lab:children]\nmissing\n",
        "hosts.ini:2: section [lab:children] includes undefined group 'missing'",
    ),
    ("[lab:vars]\na=1\n", "hosts.ini:1: section [lab:vars] is not valid for undefined group 'lab'"),
    (
        "[a:children]\nb\n[b:children]\na\n",
        "hosts.ini:4: adding group 'a' as a child of 'b' creates a cycle",
    ),
    ("[a:children]\na\n", "hosts.ini:2: group 'a' cannot be a child of itself"),
    ("[lab:children]\nbad name\n", "hosts.ini:2: expected a group name, got: bad name"),
    (
        "[g]\nws1\n[g:vars]\nansible_group_priority=high\n",
        "hosts.ini:4: group 'g': ansible_group_priority must be an integer",
    ),
    ("[gpu]\nws1 x=1 x=2\n", "hosts.ini:2: host variable 'x' is set twice in 'ws1'"),
    ("[gpu]\nws[1:2] y=0 x=1 y=1\n", "hosts.ini:2: host variable 'y' is set twice in 'ws[1:2]'"),
    (
        "[gpu]\nn[1:10001]\n",
        "hosts.ini:2: host range in 'n[1:10001]' expands to 10001 hosts, more than the 10000",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_LINES)
def test_bad_lines_name_file_line_and_fault(text: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        parse(text)
    assert raised.value.message.startswith(message)
    assert "\n" not in raised.value.message


@pytest.mark.parametrize(
    ("value", "problem"),
    [("[" * 150 + "]" * 150, "nested more than 100 levels deep"),
     ("9" * 1001, "an integer has more than 1000 digits")],
)  # fmt: skip
def test_a_literal_past_a_limit_is_refused_naming_the_line(value: str, problem: str) -> None:
    with pytest.raises(InputError) as raised:
        parse("[g]\nws1 x=" + value + "\n")
    assert raised.value.message.startswith("hosts.ini:2: value ")
    assert raised.value.message.endswith(problem)


def test_a_literal_python_cannot_even_read_stays_text() -> None:
    assert parse_ini_value("9" * 5000) == "9" * 5000
