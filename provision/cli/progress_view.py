"""Showing a run's progress: a live per-host table on a terminal, one line per event in
CI logs.

Both are `ProgressListener`s fed from the hosts' worker threads. `LiveProgress`
(`live_progress.py`, imported only for a terminal) redraws a rich table while a stage of
the run is `showing()`; `PlainProgress` prints each event as it happens, with the seconds
since the run started, so a CI log reads as a timeline.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO, TypeAlias

from provision.report import HostOutcome
from provision.runner.progress import Phase, SilentProgress

if TYPE_CHECKING:
    from provision.cli.live_progress import LiveProgress

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


class QuietProgress(SilentProgress):
    """No progress at all (`plan --json`, whose stdout is one JSON document)."""

    @contextmanager
    def showing(self) -> Iterator[None]:
        """Nothing to show."""
        yield


ProgressView: TypeAlias = "PlainProgress | LiveProgress | QuietProgress"


def progress_view(hosts: Sequence[str], *, quiet: bool = False) -> ProgressView:
    """The live table when stdout is a terminal, lines otherwise, nothing when `quiet`."""
    if quiet:
        return QuietProgress()
    if sys.stdout.isatty():
        from provision.cli.live_progress import live_progress  # rich: only for a terminal

        return live_progress(hosts)
    return PlainProgress(hosts, sys.stdout)
