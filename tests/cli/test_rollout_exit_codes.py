"""The exit codes of the new statuses: a skipped batch fails the run, a busy host leaves
changes pending after `apply` (but `plan` only says so with --detailed-exitcode)."""

from __future__ import annotations

from pathlib import Path

import pytest

from provision.cli.apply_run import Run, Target
from provision.report import HostOutcome, HostStatus
from provision.runner.host_run import RunSettings


def run_with(tmp_path: Path, *statuses: HostStatus, planned_only: bool = False) -> Run:
    playbook = tmp_path / "play.yaml"
    playbook.write_text("- hosts: all\n  state: {}\n")
    run = Run(Target([], (), None, None, 10), RunSettings(), playbook)
    run.planned_only = planned_only
    run.pending = planned_only
    for number, status in enumerate(statuses):
        run.outcomes[f"h{number}"] = HostOutcome(f"h{number}", status)
    return run


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ((HostStatus.CHANGED, HostStatus.SKIPPED), 1),
        ((HostStatus.BUSY, HostStatus.SKIPPED), 1),
        ((HostStatus.CHANGED, HostStatus.BUSY), 3),
        ((HostStatus.OK, HostStatus.CHANGED), 0),
    ],
)
def test_apply_exit_codes(tmp_path: Path, statuses: tuple[HostStatus, ...], code: int) -> None:
    assert run_with(tmp_path, *statuses).exit_code(detailed=False) == code


def test_plan_reports_a_busy_host_as_pending_only_when_asked(tmp_path: Path) -> None:
    run = run_with(tmp_path, HostStatus.OK, HostStatus.BUSY, planned_only=True)
    assert run.exit_code(detailed=False) == 0
    assert run.exit_code(detailed=True) == 3
