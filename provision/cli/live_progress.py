"""The live per-host table of a run on a terminal: host, phase, current task, elapsed,
result, redrawn a few times a second from the hosts' worker threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.live import Live
from rich.table import Table

from provision.report import HostOutcome, HostStatus
from provision.runner.progress import Phase

_STATUS_STYLES = {
    HostStatus.OK: "green",
    HostStatus.CHANGED: "yellow",
    HostStatus.BUSY: "magenta",
    HostStatus.REBOOT_PENDING: "magenta",
    HostStatus.SKIPPED: "dim",
    HostStatus.FAILED: "bold red",
    HostStatus.UNREACHABLE: "bold red",
}


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


def live_progress(hosts: Sequence[str]) -> LiveProgress:
    """The live table on this terminal."""
    return LiveProgress(hosts, Console())
