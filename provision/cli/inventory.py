"""`provision inventory`: show an inventory as `ansible-inventory --list` and
`ansible PATTERN --list-hosts` show it, so users can check what provision reads."""

from __future__ import annotations

import json
from pathlib import Path

import click

from provision.cli.options import inventory_option
from provision.credentials import redact_variables
from provision.inventory import load_inventory


@click.command("inventory")
@inventory_option
@click.option(
    "--list",
    "list_all",
    is_flag=True,
    help="Print every group and host's merged variables as one JSON document "
    "(the shape of ansible-inventory --list).",
)
@click.option(
    "--hosts",
    "pattern",
    metavar="PATTERN",
    help="Print the hosts an Ansible host pattern selects, one per line.",
)
def inventory_command(inventories: tuple[Path, ...], list_all: bool, pattern: str | None) -> None:
    """Show an inventory: all of it as JSON (--list) or the hosts a pattern selects (--hosts)."""
    if list_all == (pattern is not None):
        raise click.UsageError("give exactly one of --list or --hosts PATTERN")
    inventory = load_inventory(list(inventories))
    if pattern is not None:
        for host in inventory.select(pattern):
            click.echo(host)
    else:
        listing = redact_variables(inventory.to_ansible_list())
        click.echo(json.dumps(listing, sort_keys=True, indent=4))
