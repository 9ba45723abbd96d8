"""YAML and JSON inventory documents, read with the line of every mapping kept.

Inventory checks need the line of the key at fault ("hosts.yaml:12: group 'gpu': ...").
The loader returns `LineMapping`s (dicts that remember each key's line); `plain` turns a
value back into ordinary dicts and lists before it becomes a variable. The YAML flavour
is YAML 1.1 as PyYAML's safe loader reads it, which is what Ansible's loader builds on
(`yes` is true, `2024-01-01` a date); `!unsafe` strings are read as plain strings and
Ansible Vault values are refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from provision.yaml_documents import parse_yaml_text


class LineMapping(dict[Any, Any]):
    """A dict that remembers the (1-based) line of the mapping and of each key."""

    line: int
    key_lines: dict[Any, int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are LineMappings."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineMapping:
    loader.flatten_mapping(node)
    mapping = LineMapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found an unhashable key",
                key_node.start_mark,
            ) from None
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_unsafe(loader: _LineLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return _construct_mapping(loader, node)  # type: ignore[arg-type]


def _refuse_vault(loader: _LineLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, "Ansible Vault values (!vault) are not supported", node.start_mark
    )


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("!unsafe", _construct_unsafe)
_LineLoader.add_constructor("!vault", _refuse_vault)


def parse_document(text: str, path: Path) -> Any:
    """Parse YAML (or JSON) `text` from `path`; malformed input names the file and line."""
    if path.suffix == ".json":
        try:
            return json.loads(text, object_hook=_json_mapping)
        except ValueError:
            pass
    return parse_yaml_text(text, str(path), loader=_LineLoader)


def _json_mapping(pairs: dict[str, Any]) -> LineMapping:
    mapping = LineMapping(pairs)
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
