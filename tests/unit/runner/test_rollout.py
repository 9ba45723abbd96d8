"""Batches applied one after another: the threshold stops the run, later hosts are
skipped and untouched; busy hosts are left alone; failed hosts go to the retry file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fake_host import FakeHost, command_change, plan

from provision.facts import Facts
from provision.models import HostState
from provision.plan import Change, Plan
from provision.report import HostOutcome, HostStatus, recap_lines
from provision.runner import fleet
from provision.runner.batches import Serial
from provision.runner.busy import busy_reason
from provision.runner.fleet import HostJob
from provision.runner.host_run import RunSettings
from provision.runner.retry import retry_path, write_retry_file
from provision.runner.rollout import run_in_batches
from tests.unit.resources.host_facts import fresh_host

NAMES = [f"node-{number}" for number in range(1, 7)]


def jobs(names: list[str] = NAMES) -> list[HostJob]:
    state = HostState.model_validate({})
    return [HostJob(name, state, FakeHost(name), plan=plan()) for name in names]


class Worker:
    """Applies a host by recording it, failing the hosts named in `failing`."""

    def __init__(self, failing: set[str]) -> None:
        self.failing = failing
        self.started: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, job: HostJob) -> HostOutcome:
        with self._lock:
            self.started.append(job.name)
        if job.name in self.failing:
            return HostOutcome(job.name, HostStatus.FAILED, error="driver broke")
        return HostOutcome(job.name, HostStatus.CHANGED)


def rollout(
    worker: Worker, serial: Serial, maximum: float | None, hosts: list[HostJob] | None = None
) -> dict[str, HostOutcome]:
    outcomes = run_in_batches(
        hosts or jobs(), worker, serial=serial, max_fail_percentage=maximum, forks=4,
        stop=threading.Event(),
    )  # fmt: skip
    return {outcome.name: outcome for outcome in outcomes}


def test_a_failure_in_the_second_batch_stops_before_the_third() -> None:
    worker = Worker({"node-3"})
    outcomes = rollout(worker, [1, "50%"], 0)
    assert sorted(worker.started) == ["node-1", "node-2", "node-3", "node-4"]
    assert [outcomes[name].status for name in NAMES] == [
        HostStatus.CHANGED, HostStatus.CHANGED, HostStatus.FAILED, HostStatus.CHANGED,
        HostStatus.SKIPPED, HostStatus.SKIPPED,
    ]  # fmt: skip
    error = outcomes["node-5"].error or ""
    assert error.startswith("not touched: 1 of 3 hosts of the previous batch failed")
    assert "max_fail_percentage 0" in error


def test_batches_run_in_order_each_after_the_previous_one() -> None:
    worker = Worker(set())
    rollout(worker, [1, 2], None)
    assert worker.started[0] == "node-1"
    assert set(worker.started[1:3]) == {"node-2", "node-3"}
    assert set(worker.started[3:5]) == {"node-4", "node-5"}
    assert worker.started[5] == "node-6"


def test_failures_at_or_below_the_threshold_let_every_batch_run() -> None:
    worker = Worker({"node-2"})
    outcomes = rollout(worker, 2, 50)
    assert sorted(worker.started) == NAMES
    assert HostStatus.SKIPPED not in {outcome.status for outcome in outcomes.values()}


def test_without_a_threshold_a_batch_that_failed_whole_stops_the_run() -> None:
    worker = Worker({"node-1", "node-2"})
    outcomes = rollout(worker, 2, None)
    assert sorted(worker.started) == ["node-1", "node-2"]
    assert outcomes["node-6"].status is HostStatus.SKIPPED


def test_a_host_that_failed_to_prepare_keeps_its_outcome_when_its_batch_is_skipped() -> None:
    hosts = jobs()
    hosts[5].outcome = HostOutcome("node-6", HostStatus.UNREACHABLE, error="refused")
    outcomes = rollout(Worker({"node-1"}), 1, 0, hosts)
    assert outcomes["node-6"].status is HostStatus.UNREACHABLE
    assert outcomes["node-2"].status is HostStatus.SKIPPED


def test_the_recap_counts_skipped_and_busy_hosts() -> None:
    lines = recap_lines([
        HostOutcome("a", HostStatus.FAILED, error="x"),
        HostOutcome("b", HostStatus.SKIPPED, error="not touched: y"),
        HostOutcome("c", HostStatus.BUSY, error="z"),
    ])  # fmt: skip
    assert lines[-1] == (
        "hosts=3: ok=0, changed=0, busy=1, reboot-pending=0, skipped=1, failed=1, unreachable=0"
    )
    assert "    error: not touched: y" in lines


def driver_change() -> Change:
    return command_change("nvidia-driver", task="driver")


def gpu_in_use() -> Facts:
    users = [{"pid": 4242, "path": "/dev/nvidia0", "command": "python train.py"}]
    return fresh_host({"nvidia": {"device_users": users}})


def test_a_driver_change_under_a_gpu_process_is_busy_naming_it() -> None:
    reason = busy_reason(gpu_in_use(), plan(driver_change()))
    assert reason is not None and "python train.py (pid 4242)" in reason
    assert busy_reason(gpu_in_use(), plan(command_change("profile"))) is None
    assert busy_reason(fresh_host(), plan(driver_change())) is None


@pytest.mark.parametrize(("force", "status"), [(False, HostStatus.BUSY), (True, None)])
def test_prepare_leaves_a_busy_host_alone_unless_forced(
    monkeypatch: pytest.MonkeyPatch, force: bool, status: HostStatus | None
) -> None:
    planned = plan(driver_change())

    def gather_and_plan(
        connection: object, desired: HostState, clock: object = None, **options: object
    ) -> tuple[Facts, Plan]:
        return gpu_in_use(), planned

    monkeypatch.setattr(fleet, "gather_and_plan", gather_and_plan)
    job = jobs(["node-1"])[0]
    fleet.prepare(job, None, force=force)
    assert job.plan == planned
    assert (job.outcome and job.outcome.status) == status
    if status is not None:
        outcome = fleet.execute(job, RunSettings(), None, threading.Event())  # type: ignore[arg-type]
        assert outcome.status is HostStatus.BUSY
        assert isinstance(job.connection, FakeHost) and job.connection.log == []


def test_the_retry_file_lists_failed_and_unreachable_hosts(tmp_path: Path) -> None:
    outcomes = [
        HostOutcome("a", HostStatus.FAILED), HostOutcome("b", HostStatus.CHANGED),
        HostOutcome("c", HostStatus.UNREACHABLE), HostOutcome("d", HostStatus.SKIPPED),
    ]  # fmt: skip
    playbook = Path("playbooks/workstation.yaml")
    report = tmp_path / "run.json"
    assert retry_path(playbook, report) == tmp_path / "workstation.retry"
    assert retry_path(playbook, None) == Path("workstation.retry")
    written = write_retry_file(outcomes, playbook, report)
    assert written == tmp_path / "workstation.retry"
    assert written.read_text() == "a\nc\n"
    assert write_retry_file(outcomes[1:2], playbook, tmp_path / "other" / "r.json") is None
