"""What a run did to each host: the `--report FILE` JSON document and the recap on stdout.

A `HostOutcome` is the result of one host's run; `report_document` turns the outcomes
into the documented JSON shape and `recap_lines` into a PLAY RECAP-like summary. `changes`
lists only what was actually changed in this run, so a no-op run reports none.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from provision.credentials import redact_data
from provision.plan import Change


class HostStatus(StrEnum):
    """How a host ended the run, worst last.

    `busy`: the driver would change while processes use the GPU, so the host was left
    alone (changes pending). `skipped`: an earlier batch failed past the play's
    `max_fail_percentage`, so the run stopped before this host's batch.
    """

    OK = "ok"
    CHANGED = "changed"
    BUSY = "busy"
    REBOOT_PENDING = "reboot-pending"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNREACHABLE = "unreachable"


_SEVERITY = {status: rank for rank, status in enumerate(HostStatus)}
_WHEN_ANY = frozenset({HostStatus.BUSY, HostStatus.SKIPPED})
"""Statuses the recap's totals show only when a host has them (rare outside fleets)."""


@dataclass(frozen=True)
class AppliedChange:
    """One change the run made, as the report shows it."""

    task: str
    resource: str
    before: str | None
    after: str | None

    @classmethod
    def of(cls, change: Change) -> AppliedChange:
        """The report entry of a planned change that was carried out."""
        return cls(change.task, change.resource, change.before, change.after)

    def document(self) -> dict[str, str | None]:
        """The change's entry in the JSON report."""
        return {
            "task": self.task,
            "resource": self.resource,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class HostOutcome:
    """One host's run: its status, what changed, how many reboots, how long (in all and
    per phase: connect, facts, plan, apply, reboot, verify), and why not."""

    name: str
    status: HostStatus
    changes: tuple[AppliedChange, ...] = ()
    reboots: int = 0
    duration_s: float = 0.0
    error: str | None = None
    notes: tuple[str, ...] = field(default=())
    timings: dict[str, float] = field(default_factory=dict, hash=False)

    def document(self) -> dict[str, Any]:
        """The host's entry in the JSON report."""
        return {
            "status": str(self.status),
            "changes": [change.document() for change in self.changes],
            "reboots": self.reboots,
            "duration_s": round(self.duration_s, 3),
            "error": self.error,
            "notes": list(self.notes),
            "timings": dict(self.timings),
        }


def merge_outcomes(first: HostOutcome, second: HostOutcome) -> HostOutcome:
    """One outcome for a host that two plays targeted: the worse status, every change."""
    worse = max(first.status, second.status, key=_SEVERITY.__getitem__)
    return HostOutcome(
        name=first.name,
        status=worse,
        changes=first.changes + second.changes,
        reboots=first.reboots + second.reboots,
        duration_s=first.duration_s + second.duration_s,
        error="; ".join(error for error in (first.error, second.error) if error) or None,
        notes=first.notes + second.notes,
        timings={
            phase: round(first.timings.get(phase, 0.0) + second.timings.get(phase, 0.0), 3)
            for phase in {**first.timings, **second.timings}
        },
    )


def summary(outcomes: Iterable[HostOutcome]) -> dict[str, int]:
    """How many hosts ended in each status, plus the changes and reboots of the run."""
    counts = {str(status): 0 for status in HostStatus}
    changes = reboots = 0
    for outcome in outcomes:
        counts[str(outcome.status)] += 1
        changes += len(outcome.changes)
        reboots += outcome.reboots
    return {**counts, "hosts": sum(counts.values()), "changes": changes, "reboots": reboots}


def report_document(
    outcomes: Sequence[HostOutcome], *, run_id: str, playbook_sha256: str, interrupted: bool
) -> dict[str, Any]:
    """The `--report` document (README: "The run report")."""
    return {
        "hosts": {outcome.name: outcome.document() for outcome in outcomes},
        "summary": {
            **summary(outcomes),
            "run_id": run_id,
            "playbook_sha256": playbook_sha256,
            "interrupted": interrupted,
        },
    }


def write_report(path: Path, document: dict[str, Any]) -> None:
    """Write the report atomically, so a reader never sees half a document."""
    directory = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(redact_data(document), stream, indent=2)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def recap_lines(outcomes: Sequence[HostOutcome]) -> list[str]:
    """PLAY RECAP-style lines: per host its status, changes, reboots and time."""
    if not outcomes:
        return []
    width = max(len(outcome.name) for outcome in outcomes)
    lines = ["RECAP"]
    for outcome in outcomes:
        lines.append(
            f"{outcome.name:<{width}} : {outcome.status:<14} changed={len(outcome.changes):<3} "
            f"reboots={outcome.reboots} time={outcome.duration_s:.1f}s"
        )
        if outcome.error:
            lines.append(f"{'':<{width}}   error: {outcome.error}")
    counts = summary(outcomes)
    shown = [status for status in HostStatus if status not in _WHEN_ANY or counts[str(status)]]
    totals = ", ".join(f"{status}={counts[str(status)]}" for status in shown)
    lines.append(f"hosts={counts['hosts']}: {totals}")
    return lines
