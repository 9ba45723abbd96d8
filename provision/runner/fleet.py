"""Many hosts at once: prepare (lock, facts, plan) and apply each host in a bounded pool.

Each host is a `HostJob`. `prepare` connects, gathers its facts (taking the host's lock in
the same command, apply only) and plans it; `execute` applies the plan, runs the canary
check after a driver change, and writes the host's last-run record (releasing the lock in
the same command); `finish` releases the lock of a host that never got that far.
`run_pool` runs one of these over every job with at most `forks` threads; on Ctrl-C it sets
the stop event (no new change starts on any host, and hosts not yet started are skipped)
and waits for the running commands to end; a second Ctrl-C stops waiting.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import TypeVar

from provision.connection import Connection, HostUnreachable
from provision.errors import ProvisionError
from provision.models import HostState
from provision.plan import Plan
from provision.report import HostOutcome, HostStatus
from provision.runner import lock
from provision.runner.busy import busy_reason
from provision.runner.canary import canary_check, needs_canary_check
from provision.runner.host_run import HostRun, RunSettings, gather_and_plan
from provision.runner.progress import Phase, PhaseClock, ProgressListener, SilentProgress
from provision.runner.record import RunIdentity, last_run_document, record_run

_WAIT_SLICE_S = 0.2
Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class HostJob:
    """One host of a play: its connection and desired state, then its plan or outcome."""

    name: str
    desired: HostState
    connection: Connection
    plan: Plan | None = None
    outcome: HostOutcome | None = None
    locked: bool = False
    prepare_s: float = 0.0
    listener: ProgressListener = field(default_factory=SilentProgress)
    clock: PhaseClock = field(init=False)

    def __post_init__(self) -> None:
        self.clock = PhaseClock(self.name, self.listener)


def _failure(name: str, error: ProvisionError, duration_s: float = 0.0) -> HostOutcome:
    status = HostStatus.UNREACHABLE if isinstance(error, HostUnreachable) else HostStatus.FAILED
    return HostOutcome(name=name, status=status, duration_s=duration_s, error=error.message)


def skipped(name: str, reason: str) -> HostOutcome:
    """The outcome of a host whose batch never started."""
    return HostOutcome(name, HostStatus.SKIPPED, error=f"not touched: {reason}")


def prepare(job: HostJob, owner: lock.LockOwner | None, *, force: bool = False) -> None:
    """Lock the host (when `owner` is given), gather its facts and plan it; a failure
    becomes the job's outcome, and so does a busy GPU under a driver change (unless
    `force`)."""
    started = time.monotonic()
    try:
        with job.clock.phase(Phase.CONNECT):
            job.connection.open()
        claim = owner.text() if owner is not None else None
        job.locked = owner is not None  # releasing is compare-and-swap: safe if never taken
        facts, job.plan = gather_and_plan(job.connection, job.desired, job.clock, lock_owner=claim)
        if owner is not None:
            lock.settle(job.connection, owner, facts.provision.lock)
        reason = None if force else busy_reason(facts, job.plan)
        if reason is not None:
            job.outcome = HostOutcome(job.name, HostStatus.BUSY, error=reason)
    except ProvisionError as error:
        job.outcome = _failure(job.name, error, time.monotonic() - started)
    job.prepare_s = time.monotonic() - started
    if job.outcome is not None:
        job.outcome = replace(job.outcome, duration_s=job.prepare_s, timings=job.clock.timings())
        job.clock.listener.host_done(job.outcome)


def execute(
    job: HostJob,
    settings: RunSettings,
    identity: RunIdentity,
    stop: threading.Event,
    owner: lock.LockOwner | None = None,
) -> HostOutcome:
    """Apply the job's plan, check a new driver, then record the run on the host and
    release the lock (one command)."""
    if job.outcome is not None or job.plan is None:
        return job.outcome or HostOutcome(job.name, HostStatus.FAILED, error="not planned")
    if stop.is_set():
        return HostOutcome(job.name, HostStatus.FAILED, error="interrupted before it started")
    started = time.time()
    run = HostRun(job.connection, job.desired, settings, stop, clock=job.clock)
    outcome = run.apply(job.plan)
    checked_s = 0.0
    if needs_canary_check(outcome):
        with job.clock.phase(Phase.VERIFY):
            job.clock.task("canary check of the new driver")
            outcome = canary_check(job.connection, job.desired, outcome)
        checked_s = job.clock.seconds.get(Phase.VERIFY, 0.0)
    outcome = replace(
        outcome,
        duration_s=outcome.duration_s + job.prepare_s + checked_s,
        timings=job.clock.timings(),
    )
    if outcome.status is not HostStatus.UNREACHABLE:
        outcome = _record(job, outcome, identity, started, run, owner)
    job.clock.listener.host_done(outcome)
    return outcome


def _record(
    job: HostJob,
    outcome: HostOutcome,
    identity: RunIdentity,
    started: float,
    run: HostRun,
    owner: lock.LockOwner | None,
) -> HostOutcome:
    document = last_run_document(identity, outcome, started, time.time())
    pending = run.pending_reason if outcome.status is HostStatus.REBOOT_PENDING else None
    release = owner if job.locked else None
    try:
        problem = record_run(job.connection, document, pending_reason=pending, owner=release)
    except ProvisionError as error:
        problem = f"last-run record: {error.message}"
    else:
        job.locked = job.locked and problem is not None
    if problem is None:
        return outcome
    return replace(outcome, notes=(*outcome.notes, problem))


def finish(job: HostJob, owner: lock.LockOwner | None) -> str | None:
    """Release the job's lock (the run closes the connection, which later plays and
    `--verify` reuse); a problem releasing, as text."""
    problem = None
    if job.locked and owner is not None:
        try:
            lock.release(job.connection, owner)
            job.locked = False
        except ProvisionError as error:
            problem = f"host '{job.name}': lock not released: {error.message}"
    return problem


class _InFlight:
    """How many items are running, to wait for them after Ctrl-C in short slices (a
    blocked wait would not see a second Ctrl-C)."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def enter(self) -> None:
        with self._changed:
            self._count += 1

    def leave(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def wait_idle(self) -> None:
        with self._changed:
            while self._count:
                self._changed.wait(_WAIT_SLICE_S)


def _wait_all(futures: list[Future[None]]) -> None:
    """Wait for every future in short slices, so Ctrl-C is seen at once."""
    while wait(futures, timeout=_WAIT_SLICE_S).not_done:
        pass


def run_pool(
    items: Sequence[Item],
    work: Callable[[Item], Result],
    forks: int,
    stop: threading.Event,
) -> list[Result | None]:
    """`work(item)` for every item, at most `forks` at a time, results in order (None for
    an item skipped after Ctrl-C)."""
    results: list[Result | None] = [None] * len(items)
    in_flight = _InFlight()

    def run(index: int) -> None:
        in_flight.enter()
        try:
            if not stop.is_set():
                results[index] = work(items[index])
        finally:
            in_flight.leave()

    pool = ThreadPoolExecutor(max_workers=max(1, min(forks, len(items) or 1)))
    futures: list[Future[None]] = []
    try:
        for index in range(len(items)):
            futures.append(pool.submit(run, index))
        _wait_all(futures)
        for future in futures:
            future.result()
    except KeyboardInterrupt:
        stop.set()
        with contextlib.suppress(KeyboardInterrupt):
            in_flight.wait_idle()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return results
