"""Where each host of a run is: its phase, its current task, and the time each phase took.

The runner reports through a `ProgressListener` (the CLI draws a live table on a terminal,
or prints one line per event for CI logs) and keeps a `PhaseClock` per host, whose seconds
per phase go into the run report. Phases nest (the facts gathered after a reboot count as
facts, not as reboot): the inner phase's time is not counted twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Protocol

from provision.report import HostOutcome


class Phase(StrEnum):
    """The phases of a host's run, in the order they first happen."""

    CONNECT = "connect"
    FACTS = "facts"
    PLAN = "plan"
    APPLY = "apply"
    REBOOT = "reboot"
    VERIFY = "verify"


class ProgressListener(Protocol):
    """Told about every host's progress, from the host's worker thread."""

    def host_phase(self, host: str, phase: Phase) -> None:
        """`host` entered `phase` (or went back to it after a nested phase)."""
        ...

    def host_task(self, host: str, task: str) -> None:
        """`host` started `task` (a change, a handler) within its current phase."""
        ...

    def host_done(self, outcome: HostOutcome) -> None:
        """`host` finished this stage of the run with `outcome`."""
        ...


class SilentProgress:
    """A listener that shows nothing (library use, `plan --json`)."""

    def host_phase(self, host: str, phase: Phase) -> None:
        """Nothing to show."""

    def host_task(self, host: str, task: str) -> None:
        """Nothing to show."""

    def host_done(self, outcome: HostOutcome) -> None:
        """Nothing to show."""


class PhaseClock:
    """The seconds one host spent in each phase, told to a listener as phases begin."""

    def __init__(self, host: str, listener: ProgressListener | None = None) -> None:
        self.host = host
        self.listener: ProgressListener = listener or SilentProgress()
        self.seconds: dict[Phase, float] = {}
        self._stack: list[Phase] = []
        self._since = 0.0
        self._lock = threading.Lock()

    def _charge(self, now: float) -> None:
        if self._stack:
            top = self._stack[-1]
            self.seconds[top] = self.seconds.get(top, 0.0) + now - self._since
        self._since = now

    @contextmanager
    def phase(self, phase: Phase) -> Iterator[None]:
        """Count the time inside the block to `phase` (pausing an enclosing phase)."""
        with self._lock:
            self._charge(time.monotonic())
            self._stack.append(phase)
        self.listener.host_phase(self.host, phase)
        try:
            yield
        finally:
            with self._lock:
                self._charge(time.monotonic())
                self._stack.pop()
                outer = self._stack[-1] if self._stack else None
            if outer is not None:
                self.listener.host_phase(self.host, outer)

    def task(self, task: str) -> None:
        """Tell the listener which task the host is on."""
        self.listener.host_task(self.host, task)

    def timings(self) -> dict[str, float]:
        """Seconds per phase, in phase order, for the report."""
        spent = self.seconds
        return {str(phase): round(spent[phase], 3) for phase in Phase if phase in spent}
