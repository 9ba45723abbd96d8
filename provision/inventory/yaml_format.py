"""YAML and JSON inventories, read as Ansible's `yaml` inventory plugin reads them.

The top level maps group names to groups; a group is a mapping with any of `hosts`
(host pattern -> that host's variables, or nothing), `children` (group name -> group)
and `vars`; a section written as a single string names one entry. Where Ansible only
warns and skips (a group that is not a mapping, an unknown key in a group) we refuse the
file, since the skipped part is almost always a typo that would go unnoticed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from provision.errors import InputError
from provision.inventory.line_yaml import line_of, plain
from provision.inventory.model import InventoryData, InventoryStructureError
from provision.inventory.ranges import HostRangeError, expand_host_pattern

_SECTIONS = ("hosts", "children", "vars")


class YamlInventoryError(ValueError):
    """The document is not a YAML inventory (so Ansible would try another format)."""


def check_yaml_inventory(document: Any, path: Path) -> Mapping[Any, Any]:
    """Return `document` when it has the shape of a YAML inventory, else raise."""
    if document is None:
        raise YamlInventoryError(f"{path}: empty YAML document")
    if not isinstance(document, Mapping):
        raise YamlInventoryError(
            f"{path}: a YAML inventory must be a mapping of group names, got {_type_name(document)}"
        )
    if document.get("plugin"):
        raise YamlInventoryError(
            f"{path}: inventory plugin configurations ('plugin: {document['plugin']}') "
            "are not supported; use a static INI, YAML or JSON inventory"
        )
    return document


def parse_yaml_inventory(document: Mapping[Any, Any], path: Path, data: InventoryData) -> None:
    """Add the groups, hosts and variables of a checked YAML `document` to `data`."""
    for name, body in document.items():
        _GroupReader(path, data).read(name, body, line_of(document, name))


class _GroupReader:
    def __init__(self, path: Path, data: InventoryData) -> None:
        self.path = path
        self.data = data

    def fail(self, line: int, message: str) -> InputError:
        where = f"{self.path}:{line}" if line else str(self.path)
        return InputError(f"{where}: {message}")

    def read(self, name: Any, body: Any, line: int) -> str:
        if not isinstance(name, str) or not name:
            raise self.fail(line, f"group name {name!r} must be a non-empty string")
        if body is not None and not isinstance(body, Mapping):
            raise self.fail(
                line,
                f"group '{name}' must be a mapping (hosts, children, vars), got {_type_name(body)}",
            )
        try:
            self.data.add_group(name)
        except InventoryStructureError as error:
            raise self.fail(line, str(error)) from None
        for key, section in (body or {}).items():
            self._read_section(name, key, _as_section(section), line_of(body, key))
        return name

    def _read_section(self, group: str, key: Any, section: Any, line: int) -> None:
        if key not in _SECTIONS:
            hint = difflib.get_close_matches(str(key), _SECTIONS, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            raise self.fail(
                line,
                f"group '{group}': unknown key '{key}' "
                f"(expected hosts, children or vars){suggestion}",
            )
        if section is None:
            return
        if not isinstance(section, Mapping):
            raise self.fail(
                line, f"group '{group}': '{key}' must be a mapping, got {_type_name(section)}"
            )
        if key == "vars":
            self._read_vars(group, section, line)
        elif key == "children":
            self._read_children(group, section)
        else:
            self._read_hosts(group, section)

    def _variables(self, owner: str, section: Mapping[Any, Any], line: int) -> dict[str, Any]:
        for variable in section:
            if not isinstance(variable, str) or not variable:
                raise self.fail(
                    line_of(section, variable) or line,
                    f"{owner}: variable name {variable!r} must be a non-empty string",
                )
        return {variable: plain(value) for variable, value in section.items()}

    def _read_vars(self, group: str, section: Mapping[Any, Any], line: int) -> None:
        for variable, value in self._variables(f"group '{group}'", section, line).items():
            try:
                self.data.set_group_variable(group, variable, value)
            except InventoryStructureError as error:
                raise self.fail(line_of(section, variable) or line, str(error)) from None

    def _read_children(self, group: str, section: Mapping[Any, Any]) -> None:
        for child, body in section.items():
            line = line_of(section, child)
            self.read(child, body, line)
            try:
                self.data.add_child(group, child)
            except InventoryStructureError as error:
                raise self.fail(line, str(error)) from None

    def _read_hosts(self, group: str, section: Mapping[Any, Any]) -> None:
        for entry, variables in section.items():
            line = line_of(section, entry)
            if not isinstance(entry, str):
                raise self.fail(
                    line,
                    f"group '{group}': host pattern {entry!r} must be a string; "
                    "enclose numbers in quotes",
                )
            if variables is not None and not isinstance(variables, Mapping):
                raise self.fail(
                    line,
                    f"host '{entry}' in group '{group}': host variables must be "
                    f"a mapping, got {_type_name(variables)}",
                )
            try:
                names, port = expand_host_pattern(entry)
            except HostRangeError as error:
                raise self.fail(line, str(error)) from None
            values = self._variables(f"host '{entry}'", variables or {}, line)
            for name in names:
                try:
                    self.data.add_host(name, group, port)
                except InventoryStructureError as error:
                    raise self.fail(line, str(error)) from None
                for variable, value in values.items():
                    self.data.set_host_variable(name, variable, value)


def _as_section(value: Any) -> Any:
    """A section written as one string names one entry, as Ansible allows."""
    return {value: None} if isinstance(value, str) else value


def _type_name(value: Any) -> str:
    kinds = {bool: "a boolean", list: "a list", str: "a string", int: "a number", float: "a number"}
    names = (text for kind, text in kinds.items() if isinstance(value, kind))
    return next(names, type(value).__name__)
