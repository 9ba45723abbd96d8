"""A play's hosts applied batch after batch (`serial:`), hosts of a batch in parallel.

After each batch the failed share decides whether the next batch starts
(`batches.stop_reason`); when it does not, every host of the later batches is reported
`skipped` with the reason and none of them is changed (a host that already failed to
be prepared, or is busy, keeps that outcome: it says more).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from provision.report import HostOutcome, HostStatus
from provision.runner.batches import Serial, batches, stop_reason
from provision.runner.fleet import HostJob, run_pool, skipped

FAILURES = frozenset({HostStatus.FAILED, HostStatus.UNREACHABLE})


def _interrupted(job: HostJob) -> HostOutcome:
    return HostOutcome(job.name, HostStatus.FAILED, error="interrupted")


def run_in_batches(
    jobs: list[HostJob],
    work: Callable[[HostJob], HostOutcome],
    *,
    serial: Serial,
    max_fail_percentage: float | None,
    forks: int,
    stop: threading.Event,
) -> list[HostOutcome]:
    """`work(job)` for every job, batch after batch; the outcomes in the jobs' order."""
    by_name = {job.name: job for job in jobs}
    outcomes: dict[str, HostOutcome] = {}
    reason: str | None = None
    for batch in batches(list(by_name), serial):
        batch_jobs = [by_name[name] for name in batch]
        if reason is not None:
            outcomes.update(
                (job.name, job.outcome or skipped(job.name, reason)) for job in batch_jobs
            )
            continue
        results = run_pool(batch_jobs, work, forks, stop)
        for job, result in zip(batch_jobs, results, strict=True):
            outcomes[job.name] = result or _interrupted(job)
        if stop.is_set():
            reason = "the run was interrupted"
            continue
        failed = sum(1 for job in batch_jobs if outcomes[job.name].status in FAILURES)
        reason = stop_reason(failed, len(batch_jobs), max_fail_percentage)
    return [outcomes[job.name] for job in jobs]
