"""group_vars/ and host_vars/ beside an inventory source, and Ansible's merge order.

For an entity named `gpu`, Ansible reads the first of `group_vars/gpu`,
`group_vars/gpu.yml`, `.yaml`, `.json` that exists; a folder is read whole (files with
no extension or one of those, sorted, recursing into sub-folders, skipping hidden and
`~` backup files). The merge order for a host is Ansible's default `precedence`:
inventory vars of `all` < inventory vars of the host's other groups < group_vars/all
< group_vars of the other groups < the host's inventory vars < host_vars, where groups
are ordered by depth, then `ansible_group_priority`, then name (later wins), and each
level replaces whole values (no deep merge, Ansible's default `hash_behaviour`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provision.errors import InputError
from provision.inventory.folders import folder_files
from provision.inventory.line_yaml import parse_document, plain
from provision.inventory.model import ALL, Group, InventoryData
from provision.yaml_documents import read_text

VARIABLE_FILE_EXTENSIONS = ("", ".yml", ".yaml", ".json")


@dataclass
class SourceVariables:
    """The group_vars and host_vars found beside one inventory source."""

    folder: Path
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_source_variables(folder: Path, data: InventoryData) -> SourceVariables:
    """Read `folder`/group_vars and `folder`/host_vars for every group and host of `data`."""
    found = SourceVariables(folder)
    for kind, names, target in (
        ("group_vars", data.groups, found.groups),
        ("host_vars", data.hosts, found.hosts),
    ):
        base = folder / kind
        if not base.is_dir():
            continue
        for name in names:
            values = _read_entity(base, name)
            if values:
                target[name] = values
    return found


def _read_entity(base: Path, name: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in find_variable_files(base, name):
        merged |= read_variable_file(path)
    return merged


def find_variable_files(base: Path, name: str) -> list[Path]:
    """The files that hold the variables of entity `name` under `base`, in merge order.

    A name that is not one path component (`/srv/chroot`, `../x`, `..`) has none:
    a path built from it could read files outside `base`.
    """
    if "/" in name or name in (".", ".."):
        return []
    for extension in VARIABLE_FILE_EXTENSIONS:
        candidate = base / f"{name}{extension}"
        if candidate.is_dir():
            return _folder_files(candidate)
        if candidate.is_file():
            return [candidate]
    return []


def _folder_files(folder: Path) -> list[Path]:
    return folder_files(folder, _wanted_folder, _wanted_file)


def _visible(entry: Path) -> bool:
    return not (entry.name.startswith(".") or entry.name.endswith("~"))


def _wanted_folder(entry: Path) -> bool:
    return _visible(entry) and not entry.suffix


def _wanted_file(entry: Path) -> bool:
    return _visible(entry) and entry.suffix in VARIABLE_FILE_EXTENSIONS


def read_variable_file(path: Path) -> dict[str, Any]:
    """One vars file: a mapping of variable names (empty file: no variables)."""
    document = parse_document(read_text(path), path)
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise InputError(
            f"{path}: a variables file must be a mapping of variable names, "
            f"got {type(document).__name__}"
        )
    for key in document:
        if not isinstance(key, str) or not key:
            raise InputError(f"{path}: variable name {key!r} must be a non-empty string")
    values: dict[str, Any] = plain(document)
    return values


def sort_groups(groups: Iterable[Group]) -> list[Group]:
    """Ansible's group order for variables: depth, then priority, then name."""
    return sorted(groups, key=lambda group: (group.depth, group.priority, group.name))


def merge_host_variables(
    data: InventoryData, sources: list[SourceVariables], host: str
) -> dict[str, Any]:
    """The variables of `host` merged in Ansible's default precedence (see module docstring)."""
    ordered = [
        name.name
        for name in sort_groups(
            data.groups[group] for group in data.host_groups(host) if group != ALL
        )
    ]
    merged: dict[str, Any] = dict(data.groups[ALL].vars)
    for group in ordered:
        merged |= data.groups[group].vars
    for source in sources:
        merged |= source.groups.get(ALL, {})
    for source in sources:
        for group in ordered:
            merged |= source.groups.get(group, {})
    merged |= data.hosts[host].vars
    for source in sources:
        merged |= source.hosts.get(host, {})
    return merged
