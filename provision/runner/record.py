"""The host's record of its last run, `/var/lib/provision/last-run.json`, for audits.

Written at the end of every run that reached the host (also a no-op or a failed one):
tool version, run id, playbook path and sha256, start and end time, result, the changes
made and the reboots.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from provision import __version__, shell
from provision.connection import Connection
from provision.report import HostOutcome
from provision.runner.lock import STATE_DIR

LAST_RUN_PATH = f"{STATE_DIR}/last-run.json"


@dataclass(frozen=True)
class RunIdentity:
    """What identifies a run in reports and on the hosts."""

    run_id: str
    playbook: str
    playbook_sha256: str


def _utc(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def last_run_document(
    identity: RunIdentity, outcome: HostOutcome, started: float, finished: float
) -> dict[str, Any]:
    """The content of `last-run.json` for one host's run."""
    return {
        "tool": "provision",
        "version": __version__,
        "run_id": identity.run_id,
        "playbook": identity.playbook,
        "playbook_sha256": identity.playbook_sha256,
        "started": _utc(started),
        "finished": _utc(finished),
        "result": str(outcome.status),
        "changes": [change.document() for change in outcome.changes],
        "reboots": outcome.reboots,
        "error": outcome.error,
    }


def write_last_run(connection: Connection, document: dict[str, Any]) -> None:
    """Write the record atomically on the host (root-owned, world-readable)."""
    data = (json.dumps(document, indent=2) + "\n").encode()
    connection.run(shell.command("mkdir", "-p", STATE_DIR), timeout=30, sudo=True)
    connection.upload(data, LAST_RUN_PATH, owner="root", mode=0o644)
