"""Gathering a host's facts: one remote command, parsed on the control node."""

from __future__ import annotations

from provision import shell
from provision.connection import Connection
from provision.errors import ProvisionError
from provision.facts.model import Facts, parse_facts
from provision.facts.script import FactsRequest, render_script

FACTS_TIMEOUT_S = 120.0


class FactsError(ProvisionError):
    """The fact script did not run to its end on a host."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"host '{host}': gathering facts failed: {detail}")
        self.host = host


def gather_facts(connection: Connection, request: FactsRequest | None = None) -> Facts:
    """Run the fact script once on `connection` and parse what it printed.

    Runs as root when the connection can become root (so processes of every user that
    hold `/dev/nvidia*` or the dpkg lock are seen), else as the connection user.
    """
    script = render_script(request or FactsRequest())
    result = connection.run(
        shell.command("sh", "-c", script.text),
        timeout=FACTS_TIMEOUT_S,
        sudo=connection.can_become,
    )
    facts = parse_facts(result.stdout, script.key)
    if not facts.complete:
        raise FactsError(connection.name, result.stderr_text())
    return facts
