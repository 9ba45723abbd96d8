"""Reading inventory sources: files (INI, YAML, JSON, told apart as Ansible does) and folders.

A file with a YAML extension (`.yml`, `.yaml`, `.json`) or none is tried as YAML first
and, when it is not a YAML inventory (not YAML at all, or not a mapping), as INI, the
order of Ansible's `yaml` and `ini` plugins; any other file is INI. A folder is read
entry by entry in name order (recursing into sub-folders), skipping hidden entries,
anything that is neither a file nor a folder (a FIFO would block the read),
`group_vars`, `host_vars`, `vars_plugins` and Ansible's ignored extensions (`.md`,
`.txt`, `.bak`, `~`, ...). Dynamic inventory (scripts, plugin configurations, TOML) is
refused rather than skipped, so a lab is never silently empty.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from provision.errors import InputError
from provision.inventory.addresses import AddressError, parse_address
from provision.inventory.folders import folder_files
from provision.inventory.ini_format import parse_ini_inventory
from provision.inventory.inventory import Inventory
from provision.inventory.line_yaml import parse_document
from provision.inventory.model import UNGROUPED, InventoryData, InventoryStructureError
from provision.inventory.variables import read_source_variables
from provision.inventory.yaml_format import (
    YamlInventoryError,
    check_yaml_inventory,
    parse_yaml_inventory,
)
from provision.yaml_documents import read_text

YAML_EXTENSIONS = ("", ".yml", ".yaml", ".json")
_IGNORED_NAMES = ("group_vars", "host_vars", "vars_plugins")
_IGNORED_ENDINGS = (
    ".pyc",
    ".pyo",
    ".swp",
    ".bak",
    "~",
    ".rpm",
    ".md",
    ".txt",
    ".rst",
    ".orig",
    ".cfg",
    ".retry",
)


def load_inventory(sources: Sequence[Path]) -> Inventory:
    """Read every source (`-i` may repeat) into one inventory, with their vars folders.

    Each source is an inventory file or a folder of them; `group_vars/` and `host_vars/`
    are read from the folder itself, or from the folder holding the file. A source that
    is not a path but holds a comma is a host list, as in Ansible (`-i ws1,ws2,`).
    """
    if not sources:
        raise InputError("no inventory given (use -i FILE_OR_FOLDER)")
    data = InventoryData()
    folders: list[Path] = []
    for source in (Path(item) for item in sources):
        kind = _kind(source)
        if kind is None and "," in str(source):
            read_host_list(str(source), data)
            continue
        if kind is None:
            raise InputError(f"{source}: inventory not found (no such file or folder)")
        if kind not in ("file", "folder"):
            raise InputError(f"{source}: inventory is neither a file nor a folder")
        _read_source(source, data)
        folders.append(source if kind == "folder" else source.parent)
    data.reconcile()
    return Inventory(data, [read_source_variables(folder, data) for folder in folders])


def read_host_list(text: str, data: InventoryData) -> None:
    """A comma-separated host list given as `-i` (`-i 192.0.2.11,ws2:2222,`), as Ansible's
    `host_list` plugin reads it: no ranges, no variables, every host ungrouped."""
    for entry in (item.strip() for item in text.split(",")):
        if not entry:
            continue
        try:
            host, port = parse_address(entry)
        except AddressError:
            host, port = entry, None
        if "[" in host:
            host, port = entry, None
        if host not in data.hosts:
            try:
                data.add_host(host, UNGROUPED, port)
            except InventoryStructureError as error:
                raise InputError(f"-i {text!r}: {error}") from None


def _kind(source: Path) -> str | None:
    """ "file", "folder", "other" (a FIFO, a device), or None when nothing is there."""
    try:
        mode = os.stat(source).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise InputError(f"{source}: cannot read the inventory: {error.strerror}") from None
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "other"


def _read_source(source: Path, data: InventoryData) -> None:
    if not source.is_dir():
        read_inventory_file(source, data)
        return
    for path in folder_files(source, _wanted, _wanted):
        read_inventory_file(path, data)


def _wanted(entry: Path) -> bool:
    name = entry.name
    return not (name.startswith(".") or name in _IGNORED_NAMES or name.endswith(_IGNORED_ENDINGS))


def read_inventory_file(path: Path, data: InventoryData) -> None:
    """Add one inventory file to `data`, in the format Ansible would read it as."""
    text = read_text(path)
    _refuse_dynamic(path, text)
    if os.path.splitext(path.name)[1] not in YAML_EXTENSIONS:
        parse_ini_inventory(text, path, data)
        return
    try:
        document = check_yaml_inventory(parse_document(text, path), path)
    except (InputError, YamlInventoryError) as yaml_error:
        _read_as_ini(text, path, data, yaml_error)
        return
    parse_yaml_inventory(document, path, data)


def _read_as_ini(text: str, path: Path, data: InventoryData, yaml_error: Exception) -> None:
    try:
        parse_ini_inventory(text, path, data)
    except InputError as ini_error:
        if path.suffix:
            raise InputError(str(yaml_error)) from None
        raise InputError(f"{ini_error} (nor is it a YAML inventory: {yaml_error})") from None


def _refuse_dynamic(path: Path, text: str) -> None:
    if path.suffix == ".toml":
        raise InputError(f"{path}: TOML inventories are not supported; use INI, YAML or JSON")
    if text.startswith("#!") and os.access(path, os.X_OK):
        raise InputError(
            f"{path}: inventory scripts are not supported; save the script's "
            "output (JSON) and pass that file"
        )
