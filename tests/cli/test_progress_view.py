"""The two progress views: lines for CI logs, a live table on a terminal."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from provision.cli.live_progress import LiveProgress
from provision.cli.progress_view import PlainProgress, progress_view
from provision.report import AppliedChange, HostOutcome, HostStatus
from provision.runner.progress import Phase, PhaseClock

DRIVER = AppliedChange("driver", "NVIDIA driver (apt)", None, "535.154.05")


def test_plain_lines_read_as_a_timeline_one_event_per_line() -> None:
    stream = io.StringIO()
    view = PlainProgress(["ws01", "gpu-node-12"], stream)
    clock = PhaseClock("ws01", view)
    with clock.phase(Phase.CONNECT):
        pass
    with clock.phase(Phase.FACTS):
        pass
    with clock.phase(Phase.APPLY):
        clock.task("driver NVIDIA driver (apt)")
    with clock.phase(Phase.REBOOT):
        clock.task("nouveau is loaded")
        with clock.phase(Phase.FACTS):
            pass
    view.host_done(HostOutcome("ws01", HostStatus.CHANGED, (DRIVER,), reboots=1))
    view.host_done(HostOutcome("gpu-node-12", HostStatus.UNREACHABLE, error="refused"))
    lines = [re.sub(r"^\[\s*[\d.]+s\] ", "", line) for line in stream.getvalue().splitlines()]
    assert lines == [
        "ws01         connect",
        "ws01         facts",
        "ws01         apply   driver NVIDIA driver (apt)",
        "ws01         reboot  nouveau is loaded",
        "ws01         facts",
        "ws01         changed 1 changed, 1 reboot(s)",
        "gpu-node-12  unreachable 0 changed, 0 reboot(s): refused",
    ]
    assert all(re.match(r"^\[\s*\d+\.\ds\] ", line) for line in stream.getvalue().splitlines())


def test_the_live_table_shows_each_hosts_phase_task_and_result() -> None:
    console = Console(file=io.StringIO(), width=120, force_terminal=False)
    view = LiveProgress(["ws01", "ws02", "ws03"], console)
    view.host_phase("ws01", Phase.APPLY)
    view.host_task("ws01", "cuda-toolkit 11.8")
    view.host_phase("ws02", Phase.FACTS)
    view.host_done(HostOutcome("ws02", HostStatus.FAILED, error="apt-get failed"))
    console.print(view.table())
    rows = {line.split()[0]: line for line in console.file.getvalue().splitlines()[1:]}  # type: ignore[attr-defined]
    assert "apply" in rows["ws01"] and "cuda-toolkit 11.8" in rows["ws01"]
    assert re.search(r"\d+\.\ds", rows["ws01"])
    assert "done" in rows["ws02"] and "apt-get failed" in rows["ws02"] and "failed" in rows["ws02"]
    assert "waiting" in rows["ws03"]


def test_without_a_terminal_the_view_is_lines_and_quiet_shows_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert isinstance(progress_view(["ws01"]), PlainProgress)
    quiet = progress_view(["ws01"], quiet=True)
    with quiet.showing():
        quiet.host_phase("ws01", Phase.FACTS)
        quiet.host_task("ws01", "driver")
    assert capsys.readouterr().out == ""
