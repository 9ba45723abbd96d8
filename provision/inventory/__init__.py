"""Ansible-compatible inventories: INI, YAML and JSON files and folders of them.

`load_inventory([Path("inventories/lab")])` reads the sources with their `group_vars/`
and `host_vars/`; the `Inventory` it returns lists hosts and groups, merges each host's
variables with Ansible's precedence, selects hosts by Ansible patterns, prints the
`ansible-inventory --list` document and gives each host's connection settings.
"""

from provision.inventory.inventory import Inventory
from provision.inventory.model import Group
from provision.inventory.sources import load_inventory

__all__ = ["Group", "Inventory", "load_inventory"]
