"""Inventory YAML documents: `!unsafe` stays literal, repeated keys are refused."""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest

from provision.errors import InputError
from provision.inventory import load_inventory
from provision.inventory.line_yaml import line_of, parse_document
from provision.templating import VariableResolver
from provision.unsafe_text import UnsafeText


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_the_module_is_not_named_like_the_playbook_yaml_reader() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("provision.inventory.yaml_documents")


def test_unsafe_values_reach_the_templating_unrendered(tmp_path: Path) -> None:
    write(
        tmp_path / "hosts.yaml",
        """
        all:
          hosts:
            ws1:
              literal: !unsafe '{{ lookup }}'
              uses_it: "{{ literal }}-x"
        """,
    )
    write(tmp_path / "group_vars/all.yaml", "nested: !unsafe {a: ['{% raw %}', '{{ b }}']}\n")
    variables = load_inventory([tmp_path / "hosts.yaml"]).host_vars("ws1")
    resolver = VariableResolver(variables)
    assert resolver.resolve("literal") == "{{ lookup }}"
    assert resolver.resolve("uses_it") == "{{ lookup }}-x"
    assert resolver.resolve("nested") == {"a": ["{% raw %}", "{{ b }}"]}


def test_unsafe_scalars_and_nested_strings_are_unsafe_text() -> None:
    document = parse_document(
        "a: !unsafe '{{ x }}'\nb: !unsafe [c, {d: e}]\nf: '{{ g }}'\n", Path("v.yaml")
    )
    assert isinstance(document["a"], UnsafeText)
    assert isinstance(document["b"][0], UnsafeText)
    assert isinstance(document["b"][1]["d"], UnsafeText)
    assert not isinstance(document["f"], UnsafeText)


DUPLICATES = [
    (
        "{x: 1, x: 2}\n",
        "v.yaml",
        "v.yaml:1:8: malformed YAML: duplicate key 'x' (first set on line 1)",
    ),
    ("x: 1\ny: 2\nx: 3\n", "v.yaml", "v.yaml:3:1: malformed YAML: duplicate key 'x'"),
    ("a:\n  b: !unsafe {c: 1, c: 2}\n", "v.yaml", "v.yaml:2:21: malformed YAML: duplicate key 'c'"),
    ('{"x": 1,\n "x": 2}\n', "v.json", "v.json:2:2: malformed YAML: duplicate key 'x'"),
]


@pytest.mark.parametrize(("text", "name", "message"), DUPLICATES)
def test_a_repeated_key_names_file_line_and_key(text: str, name: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_document(text, Path(name))
    assert raised.value.message.startswith(message)


def test_merge_keys_may_still_be_overridden() -> None:
    document = parse_document("base: &b {x: 1, y: 2}\nhost:\n  <<: *b\n  x: 3\n", Path("v.yaml"))
    assert document["host"] == {"x": 3, "y": 2}


def test_a_repeated_key_in_a_vars_file_fails_the_load(tmp_path: Path) -> None:
    write(tmp_path / "hosts.ini", "ws1\n")
    write(tmp_path / "host_vars/ws1.yml", "cuda: '12.4'\ncuda: '11.8'\n")
    with pytest.raises(InputError, match=r"host_vars/ws1.yml:2:1: .*duplicate key 'cuda'"):
        load_inventory([tmp_path / "hosts.ini"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"x": ' + "[" * 900 + "]" * 900 + "}", "v.json:1:106: nested more than 100 levels deep"),
        ('{"x": ' + "9" * 1001 + "}", "v.json:1:7: an integer of more than 1000 digits"),
        ('{"x": ' + "9" * 5000 + "}", "v.json:1:7: an integer of more than 1000 digits"),
    ],
)
def test_json_past_a_limit_is_read_again_as_yaml_which_names_the_line(
    text: str, message: str
) -> None:
    with pytest.raises(InputError) as raised:
        parse_document(text, Path("v.json"))
    assert raised.value.message == message


def test_json_within_the_limits_is_read_as_json() -> None:
    document = parse_document('{"a": {"b": [1, 2]}}', Path("v.json"))
    assert document == {"a": {"b": [1, 2]}} and line_of(document, "a") == 0
