"""Gathering facts from many hosts at once, each host's outcome reported on its own.

`gather_many(connections, request, forks=10)` runs `gather_facts` on a bounded thread
pool and returns one `HostReport` per connection, in the given order. A host that
cannot be reached, fails, or trips over a bug is reported with the reason while the
others still report; only bad input (an `InputError`, e.g. an unreadable
`provision_become_password_file`) ends the whole run, since it is the user's to fix.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from provision.connection import Connection, HostUnreachable
from provision.errors import InputError, ProvisionError
from provision.facts.gather import gather_facts
from provision.facts.model import Facts
from provision.facts.script import FactsRequest

DEFAULT_FORKS = 10
INTERNAL_REASON = "internal"
FAILED_REASON = "failed"

RequestFor = FactsRequest | Callable[[Connection], FactsRequest]


@dataclass(frozen=True)
class HostReport:
    """One host's outcome: its facts, or why there are none (`reason`: an unreachable
    reason such as `timeout`, `failed` for a host error, `internal` for a bug)."""

    name: str
    facts: Facts | None
    error: str | None
    reason: str | None
    duration_s: float

    @property
    def failed(self) -> bool:
        """Whether the host gave no facts."""
        return self.facts is None

    def document(self) -> dict[str, Any]:
        """The host's entry in `--json`."""
        if self.facts is not None:
            return json.loads(self.facts.model_dump_json())  # type: ignore[no-any-return]
        return {"failed": True, "reason": self.reason, "message": self.error}


def gather_one(connection: Connection, request: RequestFor) -> HostReport:
    """One host's report; raises only `InputError` (bad input ends the run)."""
    started = time.monotonic()
    try:
        facts = gather_facts(connection, request(connection) if callable(request) else request)
        return HostReport(connection.name, facts, None, None, time.monotonic() - started)
    except InputError:
        raise
    except HostUnreachable as error:
        return HostReport(connection.name, None, error.message, str(error.reason), 0.0)
    except ProvisionError as error:
        return HostReport(connection.name, None, error.message, FAILED_REASON, 0.0)
    except Exception as error:
        detail = " ".join(str(error).split())[:500] or "no detail"
        message = (
            f"host '{connection.name}': internal error while gathering facts: "
            f"{type(error).__name__}: {detail}"
        )
        return HostReport(connection.name, None, message, INTERNAL_REASON, 0.0)


def gather_many(
    connections: Sequence[Connection],
    request: RequestFor,
    forks: int = DEFAULT_FORKS,
    *,
    close: bool = False,
) -> list[HostReport]:
    """The facts of every host, gathered by at most `forks` threads, in the given order.

    `request`: one `FactsRequest` for all hosts, or a function giving each connection
    its own (when each host's desired state asks about other users or files).
    `close`: close each connection once its facts are in (leave False to go on using
    the connections, as `apply` does). Raises `InputError` after every host finished
    when any host's input was invalid; every other failure is in that host's report.
    """
    if not connections:
        return []

    def gather(connection: Connection) -> HostReport:
        try:
            return gather_one(connection, request)
        finally:
            if close:
                connection.close()

    with ThreadPoolExecutor(max_workers=max(1, min(forks, len(connections)))) as pool:
        futures = [pool.submit(gather, connection) for connection in connections]
        return [future.result() for future in futures]
