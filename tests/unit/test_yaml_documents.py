"""YAML files: errors name the file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from provision.errors import InputError
from provision.yaml_documents import load_yaml_file, parse_yaml_text


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
