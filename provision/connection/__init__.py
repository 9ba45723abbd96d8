"""Connections to hosts: one interface (`Connection`), over SSH or on the control node.

`provision.host_connections.open_connection(inventory.connection(name),
inventory.host_vars(name))` gives the connection an inventory host asks for;
`LocalConnection()` is the control node itself.
"""

from provision.connection.base import CommandResult, Connection
from provision.connection.become import PASSWORD_ENVIRONMENT_VARIABLE, ask_once, terminal_prompt
from provision.connection.errors import (
    BecomeError,
    CommandTimeout,
    HostUnreachable,
    UnreachableReason,
    UploadError,
)
from provision.connection.local import LOCAL_HOST_NAME, LocalConnection

__all__ = [
    "LOCAL_HOST_NAME",
    "PASSWORD_ENVIRONMENT_VARIABLE",
    "BecomeError",
    "CommandResult",
    "CommandTimeout",
    "Connection",
    "HostUnreachable",
    "LocalConnection",
    "UnreachableReason",
    "UploadError",
    "ask_once",
    "terminal_prompt",
]
