"""The engine of `provision plan` and `provision apply`: gather, plan, show, confirm,
apply, report.

Plays run in order; within a play, hosts run in a bounded pool (`--forks`). `plan` (and
`apply --check`) takes no lock and changes nothing. `apply` locks each host, plans it,
shows the plan, asks for confirmation when changes are pending (a terminal is needed for
that, else `--yes`), applies, proves convergence, prints a recap and writes `--report`.

Exit codes: 0 nothing left to do; 1 a host failed or was unreachable, or a batch failed
past `max_fail_percentage` (later hosts skipped); 2 bad input; 3 changes pending (`plan
--detailed-exitcode`, a host left reboot-pending, or an apply that left a host busy);
130 Ctrl-C.

Within a play every host is locked and planned first and confirmed once; then the hosts
are applied in the play's `serial:` batches, one batch after another (`rollout`). A host
whose driver would change while processes use its GPU is `busy` and left alone unless
`--force`. A run with failed or unreachable hosts writes a retry file (`runner.retry`).
"""

from __future__ import annotations

import hashlib
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import click

from provision.cli.connections import connect_hosts
from provision.cli.progress_view import ProgressView, QuietProgress, progress_view
from provision.connection import Connection
from provision.control_characters import escaped
from provision.credentials import redact_data
from provision.errors import ExitCode, InputError, ProvisionError
from provision.plan import Plan
from provision.playbook import PlayTargets
from provision.report import (
    HostOutcome,
    HostStatus,
    merge_outcomes,
    recap_lines,
    report_document,
    write_report,
)
from provision.runner import fleet, lock
from provision.runner.host_run import RunSettings, is_reboot
from provision.runner.plan_view import plan_lines
from provision.runner.progress import ProgressListener
from provision.runner.record import RunIdentity
from provision.runner.retry import write_retry_file
from provision.runner.rollout import run_in_batches
from provision.yaml_documents import read_bytes


@dataclass(frozen=True)
class Target:
    """What every command of a run shares: the plays and how to reach their hosts."""

    plays: list[PlayTargets]
    inventories: tuple[Path, ...]
    connection: str | None
    accept_new: bool | None
    forks: int
    force: bool = False


def _connections(target: Target) -> dict[str, Connection]:
    names = [host.name for play in target.plays for host in play.hosts]
    return connect_hosts(
        names, target.inventories, local=target.connection == "local", accept_new=target.accept_new
    )


def _jobs(
    play: PlayTargets, connections: dict[str, Connection], progress: ProgressListener
) -> list[fleet.HostJob]:
    return [
        fleet.HostJob(host.name, host.state, connections[host.name], listener=progress)
        for host in play.hosts
    ]


def _show(jobs: list[fleet.HostJob], diff: bool, as_json: bool) -> None:
    for job in jobs:
        if as_json:
            continue
        if job.plan is not None:
            click.echo("\n".join(plan_lines(job.plan, diff=diff)))
        if job.outcome is not None:
            click.echo(f"{job.name}: {job.outcome.status}: {job.outcome.error}")


def _prepare_all(
    jobs: list[fleet.HostJob], owner: lock.LockOwner | None, target: Target
) -> threading.Event:
    stop = threading.Event()
    fleet.run_pool(
        jobs, lambda job: fleet.prepare(job, owner, force=target.force), target.forks, stop
    )
    if stop.is_set():
        raise KeyboardInterrupt
    return stop


def _to_apply(jobs: list[fleet.HostJob]) -> int:
    """How many hosts have changes to apply (not failed, not busy)."""
    return sum(
        1 for job in jobs if job.outcome is None and job.plan is not None and job.plan.changed
    )


def _confirm(jobs: list[fleet.HostJob], yes: bool) -> None:
    """Ask before changing anything (a terminal is needed to ask; otherwise --yes)."""
    hosts = _to_apply(jobs)
    if yes or not hosts:
        return
    if not sys.stdin.isatty():
        raise InputError(
            f"changes are pending on {hosts} host(s) and stdin is not a terminal to confirm "
            "them: pass --yes to apply without asking"
        )
    if not click.confirm(f"Apply these changes to {hosts} host(s)?", default=False):
        raise ProvisionError("apply cancelled at the prompt: nothing was changed")


def playbook_hash(path: Path) -> str:
    """The sha256 of the playbook file, recorded on each host and in the report."""
    return hashlib.sha256(read_bytes(path)).hexdigest()


def _check_outcome(job: fleet.HostJob) -> HostOutcome:
    if job.outcome is not None or job.plan is None:
        return job.outcome or HostOutcome(job.name, HostStatus.FAILED, error="not planned")
    if job.plan.refused is not None:
        return HostOutcome(job.name, HostStatus.FAILED, error=f"refused: {job.plan.refused}")
    count = len(job.plan.changes)
    return HostOutcome(
        job.name, HostStatus.OK, duration_s=job.prepare_s, notes=(f"{count} change(s) pending",)
    )


def _reboot_reason(name: str, plan: Plan) -> dict[str, str]:
    """{name: why} when the host already waits for a reboot (one that no change of this
    plan calls for: an earlier run left it pending), else nothing."""
    reboots = [change for change in plan.changes if is_reboot(change)]
    caused = [change for change in plan.changes if change.needs_reboot and not is_reboot(change)]
    return {name: reboots[0].reason} if reboots and not caused else {}


class Run:
    """One `plan` or `apply` invocation over all plays."""

    def __init__(self, target: Target, settings: RunSettings, playbook: Path) -> None:
        self.target = target
        self.settings = settings
        self.playbook = playbook
        self.identity = RunIdentity(uuid.uuid4().hex, str(playbook), playbook_hash(playbook))
        self.outcomes: dict[str, HostOutcome] = {}
        self.pending = False
        self.pending_counts: dict[str, int] = {}
        self.reboot_reasons: dict[str, str] = {}
        self.interrupted = False
        self.planned_only = False
        self.connections: dict[str, Connection] = {}
        self.progress: ProgressView = QuietProgress()

    def _open(self, quiet: bool = False) -> dict[str, Connection]:
        """One connection per targeted host for the whole run (closed by `close`)."""
        if not self.connections:
            self.connections = _connections(self.target)
            self.progress = progress_view(list(self.connections), quiet=quiet)
        return self.connections

    def close(self) -> None:
        """Close every host's connection."""
        for connection in self.connections.values():
            connection.close()

    def _record(self, outcome: HostOutcome) -> None:
        earlier = self.outcomes.get(outcome.name)
        self.outcomes[outcome.name] = (
            outcome if earlier is None else merge_outcomes(earlier, outcome)
        )

    def plan(self, diff: bool, as_json: bool) -> dict[str, object]:
        """Plan every play (no lock, no change); the plans as a JSON-ready document."""
        self.planned_only = True
        connections = self._open(quiet=as_json)
        document: dict[str, object] = {}
        try:
            for play in self.target.plays:
                jobs = _jobs(play, connections, self.progress)
                with self.progress.showing():
                    _prepare_all(jobs, None, self.target)
                _show(jobs, diff, as_json)
                for job in jobs:
                    self._record(_check_outcome(job))
                    self.pending |= job.plan is not None and job.plan.changed
                    if job.plan is not None:
                        count = self.pending_counts.get(job.name, 0) + len(job.plan.changes)
                        self.pending_counts[job.name] = count
                        self.reboot_reasons.update(_reboot_reason(job.name, job.plan))
                    plan = redact_data(job.plan.model_dump(mode="json")) if job.plan else None
                    document[job.name] = {"plan": plan, "error": job.outcome and job.outcome.error}
        finally:
            self.close()
        return document

    def apply(self, diff: bool, yes: bool) -> None:
        """Lock, plan, confirm and apply every play in turn."""
        connections = self._open()
        owner = lock.this_run(self.identity.run_id)
        for play in self.target.plays:
            jobs = _jobs(play, connections, self.progress)
            try:
                self._apply_play(play, jobs, owner, diff, yes)
            finally:
                for job in jobs:
                    problem = fleet.finish(job, owner)
                    if problem:
                        click.echo(f"provision: warning: {problem}", err=True)
            if self.interrupted:
                break

    def _apply_play(
        self,
        play: PlayTargets,
        jobs: list[fleet.HostJob],
        owner: lock.LockOwner,
        diff: bool,
        yes: bool,
    ) -> None:
        """Prepare every host, confirm once, then apply batch after batch (`serial:`)."""
        with self.progress.showing():
            _prepare_all(jobs, owner, self.target)
        _show(jobs, diff, as_json=False)
        _confirm(jobs, yes)
        stop = threading.Event()
        with self.progress.showing():
            outcomes = run_in_batches(
                jobs,
                lambda job: fleet.execute(job, self.settings, self.identity, stop, owner),
                serial=play.play.serial,
                max_fail_percentage=play.play.max_fail_percentage,
                forks=self.target.forks,
                stop=stop,
            )
        self.interrupted |= stop.is_set()
        for outcome in outcomes:
            self._record(outcome)

    def exit_code(self, detailed: bool) -> int:
        """The run's exit code (module docstring)."""
        statuses = {outcome.status for outcome in self.outcomes.values()}
        if self.interrupted:
            return int(ExitCode.INTERRUPTED)
        if statuses & {HostStatus.FAILED, HostStatus.UNREACHABLE, HostStatus.SKIPPED}:
            return int(ExitCode.HOST_FAILED)
        left = {HostStatus.REBOOT_PENDING} | (set() if self.planned_only else {HostStatus.BUSY})
        if statuses & left or (detailed and self.pending):
            return int(ExitCode.CHANGES_PENDING)
        return int(ExitCode.OK)

    def plan_summary(self) -> list[str]:
        """One line per host: changes pending, or why it could not be planned."""
        lines = ["PLAN SUMMARY"]
        for name, outcome in self.outcomes.items():
            if outcome.error:
                lines.append(f"{name}: {outcome.status}: {outcome.error}")
            elif name in self.reboot_reasons:
                lines.append(
                    f"{name}: {HostStatus.REBOOT_PENDING} ({self.reboot_reasons[name]}), "
                    f"{self.pending_counts.get(name, 0)} to change"
                )
            else:
                lines.append(f"{name}: {self.pending_counts.get(name, 0)} to change")
        return lines

    def finish(self, report: Path | None) -> None:
        """Print the recap, write the report, and the retry file when hosts failed."""
        outcomes = list(self.outcomes.values())
        click.echo("\n".join(recap_lines(outcomes)))
        try:
            retry = write_retry_file(outcomes, self.playbook, report)
        except OSError as error:
            click.echo(f"provision: warning: retry file not written: {error}", err=True)
            retry = None
        if retry is not None:
            click.echo(escaped(f"retry the failed hosts with: --limit @{retry}"))
        if report is not None:
            document = report_document(
                outcomes,
                run_id=self.identity.run_id,
                playbook_sha256=self.identity.playbook_sha256,
                interrupted=self.interrupted,
            )
            write_report(report, document)
