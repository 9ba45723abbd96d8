"""YAML files: errors name the file, line and column."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provision import yaml_documents
from provision.errors import InputError
from provision.yaml_documents import is_special_file, load_yaml_file, parse_yaml_text, read_text


def test_a_mapping_parses() -> None:
    assert parse_yaml_text("a: 1\nb: [x]\n", "f.yaml") == {"a": 1, "b": ["x"]}


def test_malformed_yaml_names_file_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml_text("a: b\n c: d: e\n", "play.yaml")
    assert (
        caught.value.message == "play.yaml:2:3: malformed YAML: mapping values are not allowed here"
    ), "PyYAML's message and position, also where libyaml parsed first"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.yaml: no such file$"):
        load_yaml_file(tmp_path / "nope.yaml")


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder, expected a file"):
        load_yaml_file(tmp_path)


def test_bytes_that_are_not_utf8_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: \xe9\n")
    with pytest.raises(InputError, match=r"latin1\.yaml: not UTF-8 text \(byte 3\)"):
        load_yaml_file(path)


def nested(depth: int) -> str:
    """A flow list `depth` lists deep."""
    return "[" * depth + "]" * depth


def test_a_document_nested_at_the_limit_parses() -> None:
    value = parse_yaml_text(f"x: {nested(99)}", "f.yaml")  # a mapping, then 99 lists
    for _level in range(99):
        value = value["x"] if isinstance(value, dict) else value[0]
    assert value == []


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (f"x: {nested(100)}", "f.yaml:1:103"),  # past the limit: libyaml composes it
        (f"x: {nested(10_000)}", "f.yaml:1:103"),  # past libyaml's own limit: PyYAML's
        ("- " * 5000 + "x", "f.yaml:1:201"),
        ("a:\n" + "".join(f"{'  ' * (level + 1)}k:\n" for level in range(120)), "f.yaml:101:"),
    ],
)
def test_a_document_nested_past_the_limit_names_the_line(text: str, where: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_yaml_text(text, "f.yaml")
    assert raised.value.message.startswith(where)
    assert raised.value.message.endswith("nested more than 100 levels deep")


def test_aliases_may_repeat_a_mapping_a_few_times() -> None:
    text = "base: &b {a: 1, b: 2}\n" + "".join(f"h{i}: {{<<: *b, c: {i}}}\n" for i in range(50))
    assert parse_yaml_text(text, "f.yaml")["h7"] == {"a": 1, "b": 2, "c": 7}


def test_an_alias_bomb_is_refused_without_building_it() -> None:
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]\n" for level in range(1, 30)
    )
    with pytest.raises(InputError, match=r"^f\.yaml:\d+:\d+: aliases of this node add more than"):
        parse_yaml_text(text, "f.yaml")


def test_an_alias_inside_what_it_names_is_refused() -> None:
    with pytest.raises(InputError, match=r"^f\.yaml:1:4: an alias refers to a node that contains"):
        parse_yaml_text("x: &a [1, *a]\n", "f.yaml")


@pytest.mark.parametrize("number", ["9" * 1001, "-" + "9" * 1001, "0x" + "f" * 1000])
def test_an_integer_too_long_is_refused_where_python_could_not_print_it(number: str) -> None:
    with pytest.raises(InputError, match=r"^f\.yaml:1:4: an integer of more than 1000 digits$"):
        parse_yaml_text(f"x: {number}\n", "f.yaml")


def test_an_integer_of_a_thousand_digits_is_read() -> None:
    assert parse_yaml_text("x: " + "9" * 1000, "f.yaml") == {"x": int("9" * 1000)}


def test_a_repeated_key_is_refused_naming_both_lines() -> None:
    with pytest.raises(InputError) as raised:
        parse_yaml_text("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert raised.value.message == (
        "f.yaml:3:1: malformed YAML: duplicate key 'a' (first set on line 1)"
    )


def test_a_merged_key_may_be_overridden() -> None:
    assert parse_yaml_text("b: &b {a: 1}\nc: {<<: *b, a: 2}\n", "f.yaml")["c"] == {"a": 2}


def test_a_value_that_cannot_be_built_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^f\.yaml: malformed YAML: month must be in 1\.\.12"):
        parse_yaml_text("when: 2024-13-01\n", "f.yaml")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "play.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"play\.yaml: not a regular file \(a FIFO"):
        load_yaml_file(fifo)


def test_a_device_is_refused() -> None:
    with pytest.raises(InputError, match="/dev/zero: not a regular file"):
        read_text(Path("/dev/zero"))


def test_a_file_past_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yaml_documents, "MAX_INPUT_BYTES", 10)
    path = tmp_path / "big.yaml"
    path.write_text("a: 12345678901\n")
    with pytest.raises(
        InputError, match=r"big\.yaml: larger than 10 bytes, the most provision reads"
    ):
        read_text(path)
    path.write_text("a: 1\n")
    assert read_text(path) == "a: 1\n"


def test_a_regular_file_is_not_special_and_a_missing_one_neither(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    os.mkfifo(tmp_path / "fifo")
    assert not is_special_file(tmp_path / "file")
    assert not is_special_file(tmp_path / "missing")
    assert is_special_file(tmp_path / "fifo")
