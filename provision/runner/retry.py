"""The retry file a failed run leaves, for `--limit @FILE` to rerun only those hosts.

Like Ansible's `<playbook>.retry`: the names of the hosts that failed or were
unreachable, one per line, in `<playbook stem>.retry`. It goes beside the `--report`
file when there is one (the run's artifacts stay together), otherwise in the current
folder (the playbook's folder may be read-only, e.g. a checked-out repository).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from provision.report import HostOutcome, HostStatus

RETRIED = frozenset({HostStatus.FAILED, HostStatus.UNREACHABLE})


def retry_path(playbook: Path, report: Path | None) -> Path:
    """Where the retry file of a run of `playbook` goes."""
    folder = report.parent if report is not None else Path(".")
    return folder / f"{playbook.stem}.retry"


def write_retry_file(
    outcomes: Sequence[HostOutcome], playbook: Path, report: Path | None
) -> Path | None:
    """Write the failed and unreachable hosts' names; the file, or None when none failed."""
    names = [outcome.name for outcome in outcomes if outcome.status in RETRIED]
    if not names:
        return None
    path = retry_path(playbook, report)
    path.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    return path
