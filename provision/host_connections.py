"""Opening the right connection for an inventory host.

Beyond the `HostConnection` settings, the host variables of
`provision.inventory.ssh_variables` are read here (a become password or its file, the
host key policy, jump hosts, the connect timeout): that module validates them without
Fabric, so `validate` checks exactly what a connection would read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from provision.connection.base import Connection
from provision.connection.become import PasswordSource
from provision.connection.local import LocalConnection
from provision.connection.settings import HostConnection
from provision.connection.ssh import SshConnection, SshSettings
from provision.inventory.ssh_variables import read_ssh_variables


def open_connection(
    settings: HostConnection,
    variables: Mapping[str, Any],
    *,
    accept_new_host_keys: bool | None = None,
    prompt: Callable[[str], str] | None = None,
) -> Connection:
    """A connection to the host `settings` describes (connected lazily, on first use).

    `accept_new_host_keys` (the CLI's option) overrides the inventory when given;
    `prompt` asks for the sudo password when neither the environment nor a file has it.
    """
    read = read_ssh_variables(settings, variables)
    passwords = PasswordSource(
        password_file=read.password_file, prompt=prompt, password=read.password
    )
    if settings.connection == "local":
        return LocalConnection(name=settings.name, become=settings.become, passwords=passwords)
    accept_new = read.accept_new_host_keys if accept_new_host_keys is None else accept_new_host_keys
    ssh = SshSettings(
        settings,
        accept_new_host_keys=accept_new,
        connect_timeout=read.connect_timeout,
        jumps=read.jumps,
    )
    return SshConnection(ssh, passwords)
