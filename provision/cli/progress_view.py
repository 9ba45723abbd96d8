"""Showing a run's progress: a live per-host table on a terminal, one line per event in
CI logs.

Both are `ProgressListener`s fed from the hosts' worker threads. `LiveProgress` redraws a
rich table (host, phase, current task, elapsed, result) a few times a second while a
stage of the run is `showing()`; `PlainProgress` prints each event as it happens, with
the seconds since the run started, so a CI log reads as a timeline.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from provision.report import HostOutcome, HostStatus
from provision.runner.progress import Phase, SilentProgress

_STATUS_STYLES = {
    HostStatus.OK: "green",
    HostStatus.CHANGED: "yellow",
    HostStatus.BUSY: "magenta",
    HostStatus.REBOOT_PENDING: "magenta",
    HostStatus.SKIPPED: "dim",
    HostStatus.FAILED: "bold red",
    HostStatus.UNREACHABLE: "bold red",
}


_PHASES_WITH_TASKS = frozenset({Phase.APPLY, Phase.REBOOT, Phase.VERIFY})


class PlainProgress:
    """One line per event: `[  12.3s] ws01  apply   cuda-toolkit 11.8`."""

    def __init__(self, hosts: Sequence[str], stream: TextIO) -> None:
        self._width = max((len(host) for host in hosts), default=4)
        self._stream = stream
        self._started = time.monotonic()
        self._phases: dict[str, Phase] = {}
        self._lock = threading.Lock()

    def _line(self, host: str, what: str, detail: str = "") -> None:
        elapsed = time.monotonic() - self._started
        text = f"[{elapsed:7.1f}s] {host:<{self._width}}  {what:<7} {detail}".rstrip()
        with self._lock:
            self._stream.write(text + "\n")
            self._stream.flush()

    def host_phase(self, host: str, phase: Phase) -> None:
        """Print a phase without tasks (connect, facts, plan) as the host enters it; the
        others show with their tasks."""
        with self._lock:
            previous, self._phases[host] = self._phases.get(host), phase
        if phase in _PHASES_WITH_TASKS or previous is phase:
            return
        self._line(host, str(phase))

    def host_task(self, host: str, task: str) -> None:
        """Print the task under the host's current phase."""
        self._line(host, str(self._phases.get(host, Phase.APPLY)), task)

    def host_done(self, outcome: HostOutcome) -> None:
        """Print how the host ended."""
        detail = f"{len(outcome.changes)} changed, {outcome.reboots} reboot(s)"
        if outcome.error:
            detail += f": {outcome.error}"
        self._line(outcome.name, str(outcome.status), detail)

    @contextmanager
    def showing(self) -> Iterator[None]:
        """Lines need no setup or teardown."""
        yield


@dataclass
class _Row:
    phase: str = "waiting"
    task: str = ""
    started: float | None = None
    ended: float | None = None
    status: HostStatus | None = None


class LiveProgress:
    """A live table of every host: phase, current task, elapsed time, result."""

    def __init__(self, hosts: Sequence[str], console: Console) -> None:
        self._rows = {host: _Row() for host in hosts}
        self._console = console
        self._lock = threading.Lock()

    def _row(self, host: str) -> _Row:
        row = self._rows.setdefault(host, _Row())
        if row.started is None or row.ended is not None:
            row.started, row.ended, row.status = time.monotonic(), None, None
        return row

    def host_phase(self, host: str, phase: Phase) -> None:
        """Show the host's new phase."""
        with self._lock:
            row = self._row(host)
            row.phase = str(phase)
            if phase not in (Phase.APPLY, Phase.REBOOT, Phase.VERIFY):
                row.task = ""

    def host_task(self, host: str, task: str) -> None:
        """Show the host's current task."""
        with self._lock:
            self._row(host).task = task

    def host_done(self, outcome: HostOutcome) -> None:
        """Show how the host ended; its clock stops."""
        with self._lock:
            row = self._row(outcome.name)
            row.ended, row.status = time.monotonic(), outcome.status
            row.phase, row.task = "done", outcome.error or f"{len(outcome.changes)} changed"

    def table(self) -> Table:
        """The table as it stands now."""
        table = Table(box=None, pad_edge=False)
        for column in ("host", "phase", "task", "elapsed", "result"):
            table.add_column(column, no_wrap=column != "task", overflow="ellipsis")
        now = time.monotonic()
        with self._lock:
            for host, row in self._rows.items():
                elapsed = "" if row.started is None else f"{(row.ended or now) - row.started:.1f}s"
                status = "" if row.status is None else str(row.status)
                style = _STATUS_STYLES.get(row.status) if row.status is not None else None
                result = f"[{style}]{status}[/]" if style else status
                table.add_row(host, row.phase, row.task, elapsed, result)
        return table

    @contextmanager
    def showing(self) -> Iterator[None]:
        """Redraw the table while the block runs; leave its last state on screen."""
        with Live(get_renderable=self.table, console=self._console, refresh_per_second=4):
            yield


class QuietProgress(SilentProgress):
    """No progress at all (`plan --json`, whose stdout is one JSON document)."""

    @contextmanager
    def showing(self) -> Iterator[None]:
        """Nothing to show."""
        yield


ProgressView = PlainProgress | LiveProgress | QuietProgress


def progress_view(hosts: Sequence[str], *, quiet: bool = False) -> ProgressView:
    """The live table when stdout is a terminal, lines otherwise, nothing when `quiet`."""
    if quiet:
        return QuietProgress()
    if sys.stdout.isatty():
        return LiveProgress(hosts, Console())
    return PlainProgress(hosts, sys.stdout)
