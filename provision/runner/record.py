"""The host's record of its last run, `/var/lib/provision/last-run.json`, for audits.

Written at the end of every run that reached the host (also a no-op or a failed one):
tool version, run id, playbook path and sha256, start and end time, result, the changes
made and the reboots. The same command marks a reboot left pending (or clears the mark)
and releases the run lock, so ending a host's run costs one command.
"""

from __future__ import annotations

import json
import posixpath
import time
from dataclasses import dataclass
from typing import Any

from provision import __version__, shell
from provision.connection import Connection
from provision.credentials import redact_data
from provision.facts.provision_state import LOCK_PATH, REBOOT_PENDING_PATH, STATE_DIR
from provision.report import HostOutcome
from provision.runner.lock import LockOwner, release_script

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


def _record_script(state_dir: str, pending_reason: str | None) -> str:
    """Write stdin to `last-run.json`, then set or clear the reboot-pending marker."""
    record_path = posixpath.join(state_dir, posixpath.basename(LAST_RUN_PATH))
    marker_path = posixpath.join(state_dir, posixpath.basename(REBOOT_PENDING_PATH))
    record, marker = shell.quote(record_path), shell.quote(marker_path)
    steps = [
        shell.make_private_folder(state_dir),
        shell.remove_file(f"{record_path}.new"),
        "umask 022",
        f"cat > {record}.new",
        f"mv -f {record}.new {record}",
    ]
    if pending_reason is None:
        steps.append(shell.remove_file(marker_path))
    else:
        reason = shell.quote(" ".join(pending_reason.split()) or "reboot needed")
        boot_id = "cat /proc/sys/kernel/random/boot_id"
        steps += [
            f"{{ {boot_id} && printf '%s\\n' {reason}; }} > {marker}.new",
            f"mv -f {marker}.new {marker}",
        ]
    return " && ".join(steps)


def record_run(
    connection: Connection,
    document: dict[str, Any],
    *,
    pending_reason: str | None = None,
    owner: LockOwner | None = None,
    state_dir: str = STATE_DIR,
) -> str | None:
    """In one command: write the record atomically (world-readable), mark or clear a
    pending reboot, and release `owner`'s lock. What went wrong, as text, or None.

    The lock is released even when the record could not be written."""
    script = f"{{ {_record_script(state_dir, pending_reason)}; }}"
    if owner is not None:
        lock_path = posixpath.join(state_dir, posixpath.basename(LOCK_PATH))
        script += f"; recorded=$?; {release_script(owner, lock_path)} || exit 75; exit $recorded"
    data = (json.dumps(redact_data(document), indent=2) + "\n").encode()
    result = connection.run(shell.command("sh", "-c", script), stdin=data, timeout=60, sudo=True)
    if result.exit_code == 75:
        return f"lock not released: {LOCK_PATH} no longer names this run"
    if not result.ok:
        return f"last-run record not written: {result.stderr_text()}"
    return None
