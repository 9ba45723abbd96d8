"""One host's run: apply its plan in order, run handlers, reboot, and prove convergence.

`HostRun.apply(plan)` runs each change's actions in order and notes the handlers it
notifies. Notified handlers run once each: before a reboot, and at the end, also when a
change failed or the run was interrupted. A reboot change reboots the host (policy
`auto`), waits for a new boot id, re-gathers facts, plans again and goes on with that
plan; with policy `never` (or on the control node without `allow_local_reboot`) it is
skipped and the host ends `reboot-pending`. At the end facts are gathered again and any
planned change still pending fails the host: a task that succeeded but left its fact
unchanged is a bug to report, not to hide.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from provision.connection import Connection, HostUnreachable, LocalConnection
from provision.errors import ProvisionError
from provision.facts import Facts, gather_facts
from provision.models import HostState
from provision.plan import BlockEdit, Change, Command, FileWrite, Handler, Plan, Reboot
from provision.reconcile import facts_request, reconcile
from provision.report import AppliedChange, HostOutcome, HostStatus
from provision.runner import actions
from provision.runner.dpkg_lock import DEFAULT_DPKG_WAIT_S, wait_for_dpkg_lock
from provision.runner.progress import Phase, PhaseClock
from provision.runner.reboot import (
    DEFAULT_REBOOT_TIMEOUT_S,
    POLL_INTERVAL_S,
    RebootFailed,
    reboot_and_wait,
)

MAX_REBOOTS = 3


@dataclass(frozen=True)
class RunSettings:
    """How hosts are changed: the reboot policy override and the timeouts."""

    reboot: Literal["auto", "never"] | None = None
    reboot_timeout_s: float = DEFAULT_REBOOT_TIMEOUT_S
    allow_local_reboot: bool = False
    dpkg_wait_s: int = DEFAULT_DPKG_WAIT_S
    max_reboots: int = MAX_REBOOTS
    reboot_poll_s: float = POLL_INTERVAL_S


class Interrupted(ProvisionError):
    """The run was asked to stop (Ctrl-C) before a change started."""


class NotConverged(ProvisionError):
    """Changes were applied without error, yet the facts still differ from the state."""


def is_reboot(change: Change) -> bool:
    """Whether `change` is the reboot of the host."""
    return any(isinstance(action, Reboot) for action in change.actions)


def gather_and_plan(
    connection: Connection,
    desired: HostState,
    clock: PhaseClock | None = None,
    *,
    lock_owner: str | None = None,
) -> tuple[Facts, Plan]:
    """Gather the host's facts (one command, taking the run lock for `lock_owner` on the
    way) and plan it; both, for checks on the facts."""
    clock = clock or PhaseClock(connection.name)
    request = replace(facts_request(desired), lock_owner=lock_owner)
    with clock.phase(Phase.FACTS):
        facts = gather_facts(connection, request)
    with clock.phase(Phase.PLAN):
        return facts, reconcile(desired, facts, host=connection.name)


def plan_host(connection: Connection, desired: HostState) -> Plan:
    """Gather the host's facts (one command) and plan it."""
    return gather_and_plan(connection, desired)[1]


Planner = Callable[[Connection, HostState], Plan]


class HostRun:
    """The changes, handlers and reboots of one host in one run.

    `planner` gathers facts and plans (`gather_and_plan` by default); it runs again after
    each reboot and once at the end to prove convergence. `clock` times the phases and
    tells the run's progress listener which change the host is on.
    """

    def __init__(
        self,
        connection: Connection,
        desired: HostState,
        settings: RunSettings,
        stop: threading.Event | None = None,
        planner: Planner | None = None,
        clock: PhaseClock | None = None,
    ) -> None:
        self.connection = connection
        self.clock = clock or PhaseClock(connection.name)
        self.planner: Planner = planner or (
            lambda connection, desired: gather_and_plan(connection, desired, self.clock)[1]
        )
        self.desired = desired
        self.settings = settings
        self.stop = stop or threading.Event()
        self.applied: list[AppliedChange] = []
        self.reboots = 0
        self.reboot_pending = False
        self.pending_reason = ""
        self.notes: list[str] = []
        self._handlers: dict[str, Handler] = {}
        self._applied_changes: list[Change] = []
        self._unchanged_since: Plan | None = None
        self._notified: list[str] = []

    def apply(self, plan: Plan) -> HostOutcome:
        """Apply `plan`, verify convergence and return the host's outcome."""
        started = time.monotonic()
        status, error = HostStatus.OK, None
        try:
            if plan.refused is not None:
                raise ProvisionError(f"refused: {plan.refused}")
            if plan.changes:
                self._apply_all(plan)
                self._verify()
        except HostUnreachable as failure:
            status, error = HostStatus.UNREACHABLE, failure.message
        except ProvisionError as failure:
            status, error = HostStatus.FAILED, failure.message
        if status is HostStatus.OK and self.reboot_pending:
            status = HostStatus.REBOOT_PENDING
        elif status is HostStatus.OK and self.applied:
            status = HostStatus.CHANGED
        return HostOutcome(
            name=self.connection.name,
            status=status,
            changes=tuple(self.applied),
            reboots=self.reboots,
            duration_s=time.monotonic() - started,
            error=error,
            notes=tuple(self.notes),
        )

    def _apply_all(self, plan: Plan) -> None:
        if any(isinstance(action, Command) for change in plan.changes for action in change.actions):
            with self.clock.phase(Phase.APPLY):
                wait_for_dpkg_lock(self.connection, self.settings.dpkg_wait_s)
        current: Plan | None = plan
        try:
            while current is not None:
                self._handlers.update((handler.name, handler) for handler in current.handlers)
                current = self._apply_pass(current)
        except BaseException:
            self._run_handlers(after_failure=True)
            raise
        self._run_handlers()

    def _apply_pass(self, plan: Plan) -> Plan | None:
        """Apply the plan's changes in order; after a reboot, the new plan to go on with."""
        for change in plan.changes:
            if self.stop.is_set():
                raise Interrupted(f"interrupted: stopped before {change.task} {change.resource}")
            if is_reboot(change):
                if self._reboot(change):
                    return self._replan()
                continue
            if change.once_per_run and self._already_applied(change):
                continue
            self._unchanged_since = None
            with self.clock.phase(Phase.APPLY):
                self.clock.task(f"{change.task} {change.resource}")
                for action in change.actions:
                    self._run_action(change, action)
            self.applied.append(AppliedChange.of(change))
            self._applied_changes.append(change)
            self._notified += [name for name in change.notifies if name not in self._notified]
        return None

    def _already_applied(self, change: Change) -> bool:
        """Whether this run already carried out every action of `change`."""
        done = [action for applied in self._applied_changes for action in applied.actions]
        return all(action in done for action in change.actions)

    def _run_action(self, change: Change, action: Command | FileWrite | BlockEdit | Reboot) -> None:
        try:
            if isinstance(action, Command):
                actions.run_command(self.connection, action)
            elif isinstance(action, FileWrite):
                actions.write_file(self.connection, action)
            elif isinstance(action, BlockEdit):
                actions.edit_block(self.connection, action)
        except HostUnreachable:
            raise
        except ProvisionError as failure:
            raise ProvisionError(f"{change.task} {change.resource}: {failure.message}") from None

    def _reboot_allowed(self) -> str | None:
        """Why the reboot is skipped, or None when it may happen."""
        policy = self.settings.reboot or self.desired.reboot
        if policy == "never":
            return "reboot: never"
        if isinstance(self.connection, LocalConnection) and not self.settings.allow_local_reboot:
            return "refusing to reboot the control node (-c local) without --allow-local-reboot"
        return None

    def _reboot(self, change: Change) -> bool:
        """Reboot for `change` (running the handlers notified so far first); False when
        the policy leaves the host reboot-pending."""
        self._run_handlers()
        skipped = self._reboot_allowed()
        if skipped is not None:
            self.reboot_pending = True
            self.pending_reason = change.reason
            self.notes.append(f"reboot needed ({change.reason}), not done: {skipped}")
            return False
        if self.reboots >= self.settings.max_reboots:
            raise RebootFailed(
                f"still needs a reboot after {self.reboots} reboots in this run: {change.reason}"
            )
        with self.clock.phase(Phase.REBOOT):
            self.clock.task(change.reason)
            reboot_and_wait(
                self.connection, self.settings.reboot_timeout_s, poll_s=self.settings.reboot_poll_s
            )
        self.reboots += 1
        self.applied.append(AppliedChange.of(change))
        return True

    def _replan(self) -> Plan:
        plan = self.planner(self.connection, self.desired)
        if plan.refused is not None:
            raise ProvisionError(f"refused after the reboot: {plan.refused}")
        self._unchanged_since = plan
        return plan

    def _run_handlers(self, *, after_failure: bool = False) -> None:
        """Run every notified handler once, in the order first notified."""
        while self._notified:
            name = self._notified.pop(0)
            handler = self._handlers[name]
            self._unchanged_since = None
            try:
                with self.clock.phase(Phase.APPLY):
                    self.clock.task(f"handler {name}")
                    for command in handler.commands:
                        actions.run_command(self.connection, command)
            except ProvisionError as failure:
                message = f"handler {name}: {failure.message}"
                if not after_failure:
                    raise ProvisionError(message) from None
                self.notes.append(message)

    def _verify(self) -> None:
        """Gather facts again (unless the plan made after the last reboot had nothing left
        and nothing ran since); fail when a planned change did not take."""
        settled = self._unchanged_since
        if settled is not None and not settled.changes:
            plan = settled
        else:
            plan = self.planner(self.connection, self.desired)
        if plan.refused is not None:
            raise ProvisionError(f"refused after applying: {plan.refused}")
        self.reboot_pending = self.reboot_pending and plan.reboot_required
        pending = [
            change for change in plan.changes if not (self.reboot_pending and is_reboot(change))
        ]
        if pending:
            listed = "; ".join(
                f"{change.task} {change.resource} ({change.reason})" for change in pending
            )
            raise NotConverged(
                f"not converged after applying (the tasks succeeded but the host did not "
                f"change, a bug in provision): still pending: {listed}"
            )
