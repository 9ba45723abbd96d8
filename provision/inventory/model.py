"""The inventory's groups and hosts while sources are read, with Ansible's rules.

`InventoryData` mirrors `ansible.inventory.data.InventoryData`: `all` and `ungrouped`
always exist, a group cannot become its own ancestor, and `reconcile` (run once every
source is read) puts parentless groups under `all` and hosts without a group in
`ungrouped`. Depth (the longest path from `all`) and priority order group variables.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from provision.control_characters import has_control_character

ALL = "all"
UNGROUPED = "ungrouped"
PRIORITY_VARIABLE = "ansible_group_priority"


class InventoryStructureError(ValueError):
    """A relationship the inventory cannot hold (a cycle, an unknown group)."""


@dataclass
class Group:
    """A group: its direct hosts and child groups in declaration order, and its variables.

    `vars` holds what inventory sources declare for the group (group_vars files are
    kept apart, as they rank differently); `priority` is `ansible_group_priority`.
    """

    name: str
    hosts: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    priority: int = 1
    depth: int = 0


@dataclass
class Host:
    """A host: the groups that list it directly, and the variables sources declare for it."""

    name: str
    groups: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)


class InventoryData:
    """Groups and hosts in the order sources declare them."""

    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}
        self.hosts: dict[str, Host] = {}
        self.add_group(ALL)
        self.add_group(UNGROUPED)
        self.add_child(ALL, UNGROUPED)

    def add_group(self, name: str) -> None:
        """Declare a group (a no-op when it exists)."""
        if not name:
            raise InventoryStructureError("empty group name")
        if name not in self.groups:
            _refuse_control_characters("group", name)
            self.groups[name] = Group(name)

    def add_host(self, name: str, group: str | None = None, port: int | None = None) -> None:
        """Declare a host, optionally in `group`; `port` counts only where the host is new."""
        if not name:
            raise InventoryStructureError("empty host name")
        if name not in self.hosts:
            _refuse_control_characters("host", name)
            self.hosts[name] = Host(name)
            if port is not None:
                self.hosts[name].vars["ansible_port"] = port
        if group is not None:
            self._group(group)
            if name not in self.groups[group].hosts:
                self.groups[group].hosts.append(name)
                self.hosts[name].groups.append(group)

    def add_child(self, parent: str, child: str) -> None:
        """Make group `child` a child of `parent`, refusing a cycle as Ansible does."""
        parent_group, child_group = self._group(parent), self._group(child)
        if parent == child:
            raise InventoryStructureError(f"group '{child}' cannot be a child of itself")
        if child in parent_group.children:
            return
        if child in self.ancestors(parent):
            raise InventoryStructureError(
                f"adding group '{child}' as a child of '{parent}' creates a cycle "
                f"('{child}' is already an ancestor of '{parent}')"
            )
        parent_group.children.append(child)
        if parent not in child_group.parents:
            child_group.parents.append(parent)

    def set_group_variable(self, group: str, key: str, value: Any) -> None:
        """Set a group variable; `ansible_group_priority` sets the priority instead."""
        target = self._group(group)
        if key == PRIORITY_VARIABLE:
            target.priority = _as_priority(group, value)
        else:
            target.vars[key] = value

    def set_host_variable(self, host: str, key: str, value: Any) -> None:
        """Set a variable of an existing host."""
        self.hosts[host].vars[key] = value

    def ancestors(self, group: str) -> set[str]:
        """Every group above `group` (parents, their parents, ...)."""
        seen: set[str] = set()
        pending = list(self.groups[group].parents)
        while pending:
            name = pending.pop()
            if name not in seen:
                seen.add(name)
                pending.extend(self.groups[name].parents)
        return seen

    def host_groups(self, host: str) -> set[str]:
        """The groups a host belongs to, directly or through a child group."""
        direct = self.hosts[host].groups
        found = set(direct)
        for group in direct:
            found |= self.ancestors(group)
        return found

    def reconcile(self) -> None:
        """Apply Ansible's closing rules once every source has been read."""
        for name in self.groups:
            if name != ALL and not self.groups[name].parents:
                self.add_child(ALL, name)
        for name in self.hosts:
            self._place_in_ungrouped(name)
        self._compute_depths()

    def _place_in_ungrouped(self, host: str) -> None:
        member_of = self.host_groups(host)
        ungrouped = self.groups[UNGROUPED]
        if UNGROUPED in member_of:
            if member_of - {ALL, UNGROUPED} and host in ungrouped.hosts:
                ungrouped.hosts.remove(host)
                self.hosts[host].groups.remove(UNGROUPED)
        elif member_of <= {ALL}:
            self.add_host(host, UNGROUPED)

    def _compute_depths(self) -> None:
        level = [ALL]
        depth = 0
        while level:
            following: list[str] = []
            for name in level:
                group = self.groups[name]
                group.depth = max(group.depth, depth)
                following.extend(group.children)
            level = list(dict.fromkeys(following))
            depth += 1

    def _group(self, name: str) -> Group:
        try:
            return self.groups[name]
        except KeyError:
            raise InventoryStructureError(f"group '{name}' is not declared") from None


_INTEGER_TEXT = re.compile(r"\s*[-+]?[0-9]{1,18}\s*")


def _as_priority(group: str, value: Any) -> int:
    """`ansible_group_priority` as Ansible reads it (`int(value)`), but only from an
    integer, a finite number or ASCII digits: `int('²')` fails, `int(float('inf'))` too."""
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, int) or (isinstance(value, str) and _INTEGER_TEXT.fullmatch(value)):
        return int(value)
    raise InventoryStructureError(
        f"group '{group}': {PRIORITY_VARIABLE} must be an integer, got {value!r}"
    )


def _refuse_control_characters(kind: str, name: str) -> None:
    """A newline in a name would split it in a retry file (and `--limit @FILE` would then
    select other hosts); an escape sequence would rewrite the terminal showing it."""
    if has_control_character(name):
        raise InventoryStructureError(f"{kind} name {name!r} holds a control character")
