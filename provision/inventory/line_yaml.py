"""YAML and JSON inventory documents, read with the line of every mapping kept.

Inventory checks need the line of the key at fault ("hosts.yaml:12: group 'gpu': ...").
The loader returns `LineMapping`s (dicts that remember each key's line); `plain` turns a
value back into ordinary dicts and lists before it becomes a variable. The YAML flavour
is YAML 1.1 as PyYAML's safe loader reads it, which is what Ansible's loader builds on
(`yes` is true, `2024-01-01` a date); `!unsafe` strings are read as UnsafeText (never
rendered as templates), Ansible Vault values are refused, and a key repeated in one
mapping is an error where Ansible only warns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from provision.input_limits import data_problem
from provision.unsafe_text import UnsafeText
from provision.yaml_documents import (
    FastSafeLoader,
    SafeLoader,
    parse_yaml_text,
    unique_mapping_items,
)


class LineMapping(dict[Any, Any]):
    """A dict that remembers the (1-based) line of the mapping and of each key."""

    line: int
    key_lines: dict[Any, int]


class _LineLoader(SafeLoader):
    """The bounded safe loader of `yaml_documents`, whose mappings are LineMappings."""


class _FastLineLoader(FastSafeLoader):
    """The same on libyaml's parser (several times faster), where PyYAML was built with it."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineMapping:
    mapping = LineMapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key, value, line in unique_mapping_items(loader, node):
        mapping[key] = value
        mapping.key_lines[key] = line
    return mapping


def _construct_unsafe(loader: _LineLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return UnsafeText(loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return _mark_unsafe(loader.construct_sequence(node, deep=True))
    return _mark_unsafe(_construct_mapping(loader, node))  # type: ignore[arg-type]


def _mark_unsafe(value: Any) -> Any:
    """Every string inside `value` as UnsafeText, as Ansible's `wrap_var` does."""
    if isinstance(value, str):
        return UnsafeText(value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _mark_unsafe(item)
        return value
    if isinstance(value, list):
        return [_mark_unsafe(item) for item in value]
    return value


def _refuse_vault(loader: _LineLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, "Ansible Vault values (!vault) are not supported", node.start_mark
    )


for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor("!unsafe", _construct_unsafe)
    _loader.add_constructor("!vault", _refuse_vault)


def parse_document(text: str, path: Path) -> Any:
    """Parse YAML (or JSON) `text` from `path`; malformed input names the file and line.

    JSON that does not parse, or is past a limit of `input_limits`, is read again as YAML
    (a superset of JSON), whose reader names the line at fault."""
    if path.suffix == ".json":
        try:
            document = json.loads(text, object_pairs_hook=_json_mapping)
        except (ValueError, RecursionError):
            pass
        else:
            if data_problem(document) is None:
                return document
    return parse_yaml_text(text, str(path), loader=_LineLoader, fast_loader=_FastLineLoader)


def _json_mapping(pairs: list[tuple[str, Any]]) -> LineMapping:
    """A JSON object; a repeated key is left to the YAML reader, which names its line."""
    mapping = LineMapping(pairs)
    if len(mapping) != len(pairs):
        raise ValueError("duplicate key")
    mapping.line = 0
    mapping.key_lines = {}
    return mapping


def line_of(mapping: Any, key: Any) -> int:
    """The line of `key` in `mapping` when known, else 0."""
    if isinstance(mapping, LineMapping):
        return mapping.key_lines.get(key, mapping.line)
    return 0


def plain(value: Any) -> Any:
    """`value` with every LineMapping turned into a dict (recursively)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
