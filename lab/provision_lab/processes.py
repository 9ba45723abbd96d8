"""Processes the lab started, recorded by PID and start time, and stopped only by record.

A PID alone can be reused by an unrelated process after a crash; a record also holds
the process's start time (from /proc/PID/stat), so the lab never signals a stranger.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time

from pydantic import BaseModel


class ProcessRecord(BaseModel):
    """A process the lab started: its PID and kernel start time (clock ticks since boot)."""

    pid: int
    start_time: int


def _start_time(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    # Field 2 (comm) may contain spaces and parentheses: split after its last ')'.
    fields = text[text.rindex(b")") + 2 :].split()
    if fields[0] == b"Z":
        return None
    return int(fields[19])


def record_process(pid: int) -> ProcessRecord:
    """A record of the running process `pid`."""
    start_time = _start_time(pid)
    if start_time is None:
        raise ProcessLookupError(f"process {pid} is not running")
    return ProcessRecord(pid=pid, start_time=start_time)


def is_running(record: ProcessRecord) -> bool:
    """True while the recorded process (not a later one with its PID) is alive."""
    return _start_time(record.pid) == record.start_time


def child_pids(pid: int) -> list[int]:
    """The direct children of process `pid` (empty if it is gone)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def wait_for_exit(record: ProcessRecord, timeout: float) -> bool:
    """Wait (on a pidfd, not by sleeping) until the recorded process exits; True if it did."""
    if not is_running(record):
        return True
    try:
        descriptor = os.pidfd_open(record.pid)
    except ProcessLookupError:
        return True
    try:
        if not is_running(record):
            return True
        readable, _, _ = select.select([descriptor], [], [], timeout)
        return bool(readable) or not is_running(record)
    finally:
        os.close(descriptor)


def signal_process(record: ProcessRecord, number: signal.Signals) -> bool:
    """Send `number` to the recorded process if it is still that process; True if sent."""
    if not is_running(record):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(record.pid, number)
        return True
    return False


def _reap_if_child(record: ProcessRecord) -> None:
    """Collect the exit status when the process was our own child (no zombie is left)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(record.pid, os.WNOHANG)


def stop_process(record: ProcessRecord, grace: float = 10.0) -> None:
    """SIGTERM the recorded process, then SIGKILL it if it outlives `grace` seconds."""
    if signal_process(record, signal.SIGTERM) and wait_for_exit(record, grace):
        _reap_if_child(record)
        return
    if signal_process(record, signal.SIGKILL):
        deadline = time.monotonic() + grace
        while not wait_for_exit(record, max(0.0, deadline - time.monotonic())):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"process {record.pid} survived SIGKILL")
    _reap_if_child(record)
