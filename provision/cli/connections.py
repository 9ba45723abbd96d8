"""Opening one connection per targeted host, the same way for every command.

`plan`, `apply`, `verify` and `facts` all reach their hosts through `connect_hosts`: one
connection per host name (opened lazily, on its first command), the sudo password asked
at most once for the whole run, and `-c local` allowed only when one host is targeted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from provision.connection import (
    Connection,
    LocalConnection,
    ask_once,
    terminal_prompt,
)
from provision.connection.become import PasswordSource
from provision.errors import InputError
from provision.host_connections import open_connection
from provision.inventory import load_inventory


def connect_hosts(
    names: Sequence[str],
    inventories: Sequence[Path],
    *,
    local: bool,
    accept_new: bool | None,
) -> dict[str, Connection]:
    """A connection per host name, in order (`local`: this machine, as the one host)."""
    names = list(dict.fromkeys(names))
    if not names:
        raise InputError("the playbook's plays target no hosts of the inventory")
    prompt = terminal_prompt()
    shared = ask_once(prompt) if prompt is not None else None
    if local:
        if len(names) != 1:
            raise InputError(
                f"-c local runs on this machine, but {len(names)} hosts are targeted "
                f"({', '.join(names)}): narrow them to one with --limit"
            )
        return {names[0]: LocalConnection(name=names[0], passwords=PasswordSource(prompt=shared))}
    inventory = load_inventory(list(inventories))
    return {
        name: open_connection(
            inventory.connection(name),
            inventory.host_vars(name),
            accept_new_host_keys=accept_new,
            prompt=shared,
        )
        for name in names
    }
