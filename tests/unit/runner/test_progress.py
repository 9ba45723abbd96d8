"""Phase timings per host, and the events the progress views are told."""

from __future__ import annotations

import pytest

from provision.report import HostOutcome, HostStatus
from provision.runner import progress
from provision.runner.progress import Phase, PhaseClock


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []

    def host_phase(self, host: str, phase: Phase) -> None:
        self.events.append((host, "phase", str(phase)))

    def host_task(self, host: str, task: str) -> None:
        self.events.append((host, "task", task))

    def host_done(self, outcome: HostOutcome) -> None:
        self.events.append((outcome.name, "done", str(outcome.status)))


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(progress.time, "monotonic", fake.monotonic)
    return fake


def test_a_nested_phase_pauses_the_outer_one_so_no_second_counts_twice(
    clock_time: FakeTime,
) -> None:
    recorder = Recorder()
    clock = PhaseClock("ws01", recorder)
    with clock.phase(Phase.REBOOT):
        clock.task("driver changed")
        clock_time.now += 5
        with clock.phase(Phase.FACTS):
            clock_time.now += 0.5
        clock_time.now += 1
    with clock.phase(Phase.FACTS):
        clock_time.now += 0.25
    assert clock.timings() == {"facts": 0.75, "reboot": 6.0}
    assert recorder.events == [
        ("ws01", "phase", "reboot"),
        ("ws01", "task", "driver changed"),
        ("ws01", "phase", "facts"),
        ("ws01", "phase", "reboot"),
        ("ws01", "phase", "facts"),
    ]


def test_timings_come_in_phase_order(clock_time: FakeTime) -> None:
    clock = PhaseClock("ws01")
    for phase in (Phase.VERIFY, Phase.CONNECT, Phase.APPLY):
        with clock.phase(phase):
            clock_time.now += 1
    assert list(clock.timings()) == ["connect", "apply", "verify"]


def test_a_failing_block_still_counts_its_time(clock_time: FakeTime) -> None:
    clock = PhaseClock("ws01")
    with pytest.raises(RuntimeError), clock.phase(Phase.APPLY):
        clock_time.now += 2
        raise RuntimeError("task failed")
    assert clock.timings() == {"apply": 2.0}


def test_done_events_carry_the_outcome() -> None:
    recorder = Recorder()
    PhaseClock("ws01", recorder).listener.host_done(HostOutcome("ws01", HostStatus.BUSY))
    assert recorder.events == [("ws01", "done", "busy")]
