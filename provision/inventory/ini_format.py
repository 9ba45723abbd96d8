"""INI inventories, read as Ansible's `ini` inventory plugin reads them.

Sections are `[group]` (hosts), `[group:children]` and `[group:vars]`; lines before the
first section are ungrouped hosts. Values are typed as Ansible types them: a value that
is a Python literal (`8`, `True`, `None`, `'text'`, `[1, 2]`, `{'a': 1}`) becomes that
value, anything else stays a string. On host lines the line is first split like a
shell would (so quotes are removed before typing); in `:vars` sections the whole text
after `=` is typed as is.
"""

from __future__ import annotations

import ast
import re
import shlex
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provision.errors import InputError
from provision.input_limits import data_problem
from provision.inventory.model import UNGROUPED, InventoryData, InventoryStructureError
from provision.inventory.ranges import HostRangeError, expand_host_pattern

_SECTION = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
_GROUP_NAME = re.compile(r"^([^:\]\s]+)\s*(?:#.*)?$")
_COMMENT_MARKERS = ("#", ";")


class IniSyntaxError(ValueError):
    """A line of an INI inventory that does not parse."""


@dataclass
class _Pending:
    """A group named before it is declared (`[x:vars]`, or a child in `[y:children]`)."""

    line: int
    state: str
    parents: list[str] = field(default_factory=list)


@dataclass
class _IniReader:
    data: InventoryData
    group: str = UNGROUPED
    state: str = "hosts"
    pending: dict[str, _Pending] = field(default_factory=dict)

    def read_line(self, line: str, number: int) -> None:
        section = _SECTION.match(line)
        if section:
            self._enter_section(section.group(1), section.group(2) or "hosts", number)
        elif line.startswith("[") and line.endswith("]"):
            raise IniSyntaxError(
                f"invalid section entry {line!r}: no spaces or other invalid characters allowed"
            )
        elif self.state == "hosts":
            self._read_hosts(line)
        elif self.state == "vars":
            key, value = _parse_variable(line)
            self.data.set_group_variable(self.group, key, value)
        else:
            self._read_child(line, number)

    def _enter_section(self, group: str, state: str, number: int) -> None:
        if state not in ("hosts", "children", "vars"):
            raise IniSyntaxError(f"section [{group}:{state}] has unknown type: {state}")
        self.group, self.state = group, state
        if group not in self.data.groups:
            if state == "vars" and group not in self.pending:
                self.pending[group] = _Pending(number, "vars")
            self.data.add_group(group)
        declared = self.pending.get(group)
        if declared is not None and state != "vars":
            if declared.state == "children":
                self._resolve_children(group)
            else:
                del self.pending[group]

    def _resolve_children(self, group: str) -> None:
        for parent in self.pending[group].parents:
            self.data.add_child(parent, group)
            parent_pending = self.pending.get(parent)
            if parent_pending is not None and parent_pending.state == "children":
                self._resolve_children(parent)
        self.pending.pop(group, None)

    def _read_hosts(self, line: str) -> None:
        names, port, variables = _parse_host_line(line)
        for name in names:
            self.data.add_host(name, self.group, port)
            for key, value in variables.items():
                self.data.set_host_variable(name, key, value)

    def _read_child(self, line: str, number: int) -> None:
        match = _GROUP_NAME.match(line)
        if not match:
            raise IniSyntaxError(f"expected a group name, got: {line}")
        child = match.group(1)
        if child in self.data.groups:
            self.data.add_child(self.group, child)
        elif child in self.pending:
            self.pending[child].parents.append(self.group)
        else:
            self.pending[child] = _Pending(number, "children", [self.group])

    def check_pending(self, path: Path) -> None:
        for name, declared in self.pending.items():
            if declared.state == "vars":
                fault = f"section [{name}:vars] is not valid for undefined group '{name}'"
            else:
                parent = declared.parents[-1]
                fault = f"section [{parent}:children] includes undefined group '{name}'"
            raise InputError(f"{path}:{declared.line}: {fault}")


def parse_ini_inventory(text: str, path: Path, data: InventoryData) -> None:
    """Add the groups, hosts and variables of INI `text` (read from `path`) to `data`."""
    reader = _IniReader(data)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(_COMMENT_MARKERS):
            continue
        try:
            reader.read_line(line, number)
        except (IniSyntaxError, HostRangeError, InventoryStructureError) as error:
            raise InputError(f"{path}:{number}: {error}") from None
    reader.check_pending(path)


def _parse_host_line(line: str) -> tuple[list[str], int | None, dict[str, Any]]:
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError as error:
        raise IniSyntaxError(f"cannot parse host definition {line!r}: {error}") from None
    if not tokens:
        raise IniSyntaxError(f"cannot parse host definition {line!r}")
    names, port = _expand_entry(tokens[0])
    variables: dict[str, Any] = {}
    for token in tokens[1:]:
        if "=" not in token:
            raise IniSyntaxError(f"expected key=value host variable assignment, got: {token}")
        key, value = token.split("=", 1)
        if key in variables:
            raise IniSyntaxError(f"host variable '{key}' is set twice in {tokens[0]!r}")
        variables[key] = parse_ini_value(value)
    return names, port, variables


def _expand_entry(entry: str) -> tuple[list[str], int | None]:
    names, port = expand_host_pattern(entry)
    if entry.strip().endswith(":") and port is None:
        raise IniSyntaxError(
            f"invalid host pattern '{entry}': ending in ':' is not allowed, "
            "this character is reserved to provide a port"
        )
    if any(name.strip() == "---" for name in names):
        raise IniSyntaxError(
            f"invalid host pattern '{entry}': '---' is normally a sign this is a YAML file"
        )
    return names, port


def _parse_variable(line: str) -> tuple[str, Any]:
    if "=" not in line:
        raise IniSyntaxError(f"expected key=value, got: {line}")
    key, value = (part.strip() for part in line.split("=", 1))
    return key, parse_ini_value(value)


def parse_ini_value(text: str) -> Any:
    """Type an INI value as Ansible does: a Python literal becomes its value, else a string.

    A literal past a limit of `input_limits` (nested too deep, an integer too long) is an
    IniSyntaxError rather than a value the rest of provision could not handle."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            value: Any = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text
    problem = data_problem(value)
    if problem is not None:
        raise IniSyntaxError(f"value {_abridged(text)}: {problem}")
    return _plain(value)


def _abridged(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:40]!r}..."


def _plain(value: Any) -> Any:
    """Bring a literal to the types inventory variables have (no tuples, sets, bytes)."""
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if value is Ellipsis or isinstance(value, complex):
        return str(value) if isinstance(value, complex) else "..."
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="surrogateescape")
    return value
