"""A testinfra backend that runs commands over provision's own `Connection`.

Why not testinfra's `ssh` or `paramiko` backend: they would open a second connection per
host with their own host-key policy and sudo handling. Running testinfra's modules over the
connection `apply` uses keeps one connection per host, the inventory's known_hosts with
strict host-key checking, jump hosts and become exactly as configured, and `-c local`.
"""

from __future__ import annotations

from typing import Any

import testinfra.host
from testinfra.backend import base

from provision.connection import Connection

COMMAND_TIMEOUT_S = 600.0


class ConnectionBackend(base.BaseBackend):  # type: ignore[misc]
    """Testinfra commands run as root (sudo when the login user is not root)."""

    NAME = "provision"

    def __init__(self, connection: Connection, **kwargs: Any) -> None:
        super().__init__(connection.name, **kwargs)
        self.connection = connection

    def get_pytest_id(self) -> str:
        """The host's inventory name."""
        return str(self.connection.name)

    def run(self, command: str, *args: str, **kwargs: Any) -> base.CommandResult:
        """Run `command` (testinfra quotes `args` into it) on the host."""
        line = self.get_command(command, *args)
        result = self.connection.run(
            line, sudo=self.connection.can_become, timeout=kwargs.get("timeout", COMMAND_TIMEOUT_S)
        )
        return self.result(result.exit_code, self.encode(line), result.stdout, result.stderr)


def testinfra_host(connection: Connection) -> testinfra.host.Host:
    """A testinfra `Host` whose modules (file, package, ...) run over `connection`."""
    backend = ConnectionBackend(connection)
    host = testinfra.host.Host(backend)
    backend.set_host(host)
    return host
