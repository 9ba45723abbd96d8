"""The canary check: a host whose driver changed and rebooted counts as done only once
its verify checks pass."""

from __future__ import annotations

import pytest
from fake_host import FakeHost

from provision.check import Check
from provision.models import HostState
from provision.report import AppliedChange, HostOutcome, HostStatus
from provision.runner.canary import canary_check, needs_canary_check
from provision.verify import runner as verify_runner
from provision.verify.pytest_cases import Case

DRIVER = AppliedChange("driver", "NVIDIA driver (apt)", "535.154.05", "550.54.15")
REBOOT = AppliedChange("reboot", "host", "reboot pending", "rebooted")
TOOLKIT = AppliedChange("cuda-toolkit", "CUDA 12.1", None, "12.1.1")


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (HostOutcome("h", HostStatus.CHANGED, (DRIVER, REBOOT), reboots=1), True),
        (HostOutcome("h", HostStatus.CHANGED, (TOOLKIT, REBOOT), reboots=1), False),
        (HostOutcome("h", HostStatus.REBOOT_PENDING, (DRIVER,)), False),
        (HostOutcome("h", HostStatus.FAILED, (DRIVER, REBOOT), reboots=1), False),
    ],
    ids=["driver-and-reboot", "no-driver-change", "not-rebooted", "already-failed"],
)
def test_only_a_rebooted_driver_change_calls_for_the_canary_check(
    outcome: HostOutcome, expected: bool
) -> None:
    assert needs_canary_check(outcome) is expected


def cases(*results: tuple[str, str, str]) -> list[Case]:
    made = []
    for name, outcome, message in results:
        case = Case("h", Check(name, "nvidia-smi", "nvidia-smi", "answers"), None)  # type: ignore[arg-type]
        case.outcome, case.message = outcome, message  # type: ignore[assignment]
        made.append(case)
    return made


def test_a_failing_check_fails_the_host_naming_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    found = cases(("driver module", "passed", ""),
                  ("nvidia-smi", "failed", "Driver/library version mismatch"))  # fmt: skip
    monkeypatch.setattr(verify_runner, "check_host", lambda connection, state: found)
    changed = HostOutcome("h", HostStatus.CHANGED, (DRIVER, REBOOT), reboots=1)
    checked = canary_check(FakeHost(), HostState.model_validate({}), changed)
    assert checked.status is HostStatus.FAILED
    assert checked.error == (
        "canary check after the driver change failed: nvidia-smi: Driver/library version mismatch"
    )
    assert checked.changes == changed.changes


def test_passing_checks_keep_the_host_changed_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    found = cases(("driver module", "passed", ""), ("conda env", "skipped", "no conda"))
    monkeypatch.setattr(verify_runner, "check_host", lambda connection, state: found)
    changed = HostOutcome("h", HostStatus.CHANGED, (DRIVER, REBOOT), reboots=1)
    checked = canary_check(FakeHost(), HostState.model_validate({}), changed)
    assert checked.status is HostStatus.CHANGED and checked.error is None
    assert checked.notes == ("canary check after the driver change: 1 of 2 checks passed",)
