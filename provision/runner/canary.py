"""The canary check of a driver change: verify a host after its new driver booted.

A host whose driver changed and that rebooted in this run is counted done only once the
verify checks pass on it (nvidia-smi answers, the toolkits, cuDNN and the envs work with
the new driver). A failing check fails the host, so with `serial:` batches the first
batch proves the new driver before the next batch is touched.
"""

from __future__ import annotations

from dataclasses import replace

from provision.connection import Connection
from provision.errors import ProvisionError
from provision.models import HostState
from provision.report import HostOutcome, HostStatus
from provision.runner.busy import DRIVER_TASKS


def needs_canary_check(outcome: HostOutcome) -> bool:
    """Whether this run changed the host's driver and rebooted it into the new one."""
    changed_driver = any(change.task in DRIVER_TASKS for change in outcome.changes)
    return outcome.status is HostStatus.CHANGED and outcome.reboots > 0 and changed_driver


def canary_check(connection: Connection, desired: HostState, outcome: HostOutcome) -> HostOutcome:
    """Run the host's verify checks; the outcome, failed when a check failed."""
    from provision.verify.runner import check_host  # pytest and testinfra: only when needed

    try:
        cases = check_host(connection, desired)
    except ProvisionError as error:
        return replace(outcome, status=HostStatus.FAILED, error=f"canary check: {error.message}")
    failed = [case for case in cases if case.outcome in ("failed", "not run")]
    passed = sum(case.outcome == "passed" for case in cases)
    if failed:
        listed = "; ".join(f"{case.check.name}: {case.message}" for case in failed)
        return replace(
            outcome,
            status=HostStatus.FAILED,
            error=f"canary check after the driver change failed: {listed}",
        )
    note = f"canary check after the driver change: {passed} of {len(cases)} checks passed"
    return replace(outcome, notes=(*outcome.notes, note))
