"""The loaded inventory: hosts, groups, merged variables, pattern selection, listing.

Read-only once built by `load_inventory`. Host order follows Ansible: a group's hosts
are its own, then those of its children, then grandchildren, level by level (Ansible
walks each level deeper than the children in an unspecified set order; we walk it in
declaration order, which is one of the orders Ansible produces).
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

from provision.connection.settings import HostConnection
from provision.errors import InputError
from provision.inventory.connection import connection_settings
from provision.inventory.model import ALL, Group, InventoryData
from provision.inventory.patterns import (
    PatternError,
    apply_subscript,
    compile_term,
    is_glob_or_regex,
    order_terms,
    split_pattern,
    split_subscript,
)
from provision.inventory.ssh_variables import read_ssh_variables
from provision.inventory.variables import SourceVariables, merge_host_variables

# Variables `ansible-inventory --list` never prints (ansible.constants.INTERNAL_STATIC_VARS).
INTERNAL_VARIABLES = frozenset(
    {
        "ansible_async_path",
        "ansible_collection_name",
        "ansible_config_file",
        "ansible_dependent_role_names",
        "ansible_diff_mode",
        "ansible_facts",
        "ansible_forks",
        "ansible_inventory_sources",
        "ansible_limit",
        "ansible_play_batch",
        "ansible_play_hosts",
        "ansible_play_hosts_all",
        "ansible_play_role_names",
        "ansible_playbook_python",
        "ansible_role_name",
        "ansible_role_names",
        "ansible_run_tags",
        "ansible_skip_tags",
        "ansible_verbosity",
        "ansible_version",
        "inventory_dir",
        "inventory_file",
        "inventory_hostname",
        "inventory_hostname_short",
        "groups",
        "group_names",
        "hostvars",
        "playbook_dir",
        "play_hosts",
        "role_name",
        "role_names",
        "role_path",
        "role_uuid",
    }
)


class Inventory:
    """Hosts and groups of one or more inventory sources, with Ansible's semantics."""

    def __init__(self, data: InventoryData, sources: list[SourceVariables]) -> None:
        self._data = data
        self._sources = sources
        self._group_hosts: dict[str, list[str]] = {}

    @cached_property
    def hosts(self) -> list[str]:
        """Every host, in the order `ansible all --list-hosts` lists them."""
        return list(self.group_hosts(ALL))

    @property
    def groups(self) -> Mapping[str, Group]:
        """Group name -> group (direct hosts, children, parents, inventory vars); read-only."""
        return MappingProxyType(self._data.groups)

    def group_hosts(self, name: str) -> list[str]:
        """The hosts of group `name` and of its descendants, in Ansible's order."""
        if name not in self._group_hosts:
            hosts = dict.fromkeys(
                host for group in self._walk(name) for host in self._data.groups[group].hosts
            )
            self._group_hosts[name] = list(hosts)
        return self._group_hosts[name]

    def _walk(self, name: str) -> list[str]:
        groups = self._data.groups
        ordered = [name, *groups[name].children]
        seen: set[str] = set()
        level = list(ordered)
        while level:
            seen.update(level)
            following = [child for group in level for child in groups[group].children]
            ordered.extend(child for child in following if child not in seen)
            level = [child for child in dict.fromkeys(following) if child not in seen]
        return ordered

    def group_names(self, name: str) -> list[str]:
        """Ansible's `group_names` of host `name`: its groups and their ancestors, but
        not `all`, sorted."""
        self._require_host(name)
        return sorted(self._data.host_groups(name) - {ALL})

    def _require_host(self, name: str) -> None:
        if name not in self._data.hosts:
            raise InputError(f"host '{name}' is not in the inventory")

    def host_vars(self, name: str) -> dict[str, Any]:
        """The variables of host `name`, merged as Ansible merges them (a fresh copy)."""
        self._require_host(name)
        merged = merge_host_variables(self._data, self._sources, name)
        return copy.deepcopy(merged)

    def connection(self, name: str) -> HostConnection:
        """The validated connection settings of host `name` (see `HostConnection`)."""
        self._require_host(name)
        return connection_settings(name, merge_host_variables(self._data, self._sources, name))

    def check_connection(self, name: str) -> None:
        """Validate every variable a connection to host `name` reads, as `plan` does before
        connecting; an InputError names the host and the variable."""
        self._require_host(name)
        variables = merge_host_variables(self._data, self._sources, name)
        read_ssh_variables(connection_settings(name, variables), variables)

    def select(self, pattern: str) -> list[str]:
        """The hosts an Ansible host pattern selects, in Ansible's order.

        Raises InputError naming the term when a term is malformed or matches no group
        or host (Ansible only warns).
        """
        selected: list[str] = []
        try:
            terms = split_pattern(pattern)
            if not terms:
                raise InputError(f"empty host pattern {pattern!r}")
            for term in order_terms(terms):
                selected = self._apply_term(selected, term)
        except PatternError as error:
            raise InputError(f"host pattern '{pattern}': {error}") from None
        return list(dict.fromkeys(selected))

    def _apply_term(self, selected: list[str], term: str) -> list[str]:
        if term in self._data.hosts:
            return [*selected, term]
        matched = self._match_term(term[1:] if term[0] in "&!" else term)
        if term[0] == "!":
            excluded = set(matched)
            return [host for host in selected if host not in excluded]
        if term[0] == "&":
            kept = set(matched)
            return [host for host in selected if host in kept]
        present = set(selected)
        return selected + [host for host in matched if host not in present]

    def _match_term(self, term: str) -> list[str]:
        expression, subscript = split_subscript(term)
        matches = compile_term(expression)
        groups = [group for group in self._data.groups if matches(group)]
        found = [host for group in groups for host in self.group_hosts(group)]
        if not groups or is_glob_or_regex(expression):
            found.extend(host for host in self._data.hosts if matches(host))
        if not found and not groups and expression != ALL:
            raise PatternError(f"'{term}' matches no group or host in the inventory")
        return apply_subscript(found, subscript, term)

    def to_ansible_list(self) -> dict[str, Any]:
        """The document `ansible-inventory --list` prints, ready for `json.dumps`."""
        listing: dict[str, Any] = {}
        self._list_group(ALL, listing, set())
        hostvars: dict[str, Any] = {}
        for host in self.hosts:
            values = {
                key: _json_ready(value)
                for key, value in merge_host_variables(self._data, self._sources, host).items()
                if key not in INTERNAL_VARIABLES
            }
            if values:
                hostvars[host] = values
        listing["_meta"] = {"hostvars": hostvars, "profile": "inventory_legacy"}
        return listing

    def _list_group(self, name: str, listing: dict[str, Any], seen: set[str]) -> None:
        group = self._data.groups[name]
        entry: dict[str, Any] = {}
        listing[name] = entry
        if name != ALL and group.hosts:
            entry["hosts"] = list(group.hosts)
        if group.children:
            entry["children"] = list(group.children)
        for child in group.children:
            if child not in seen:
                self._list_group(child, listing, seen)
                seen.add(child)
        if not entry:
            del listing[name]


def _json_ready(value: Any) -> Any:
    """`value` as JSON can hold it: dates as ISO 8601 text, as Ansible's encoder writes them."""
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
