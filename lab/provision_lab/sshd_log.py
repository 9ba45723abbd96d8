"""Reads a lab host's sshd log: connections and exec/subsystem requests, per user.

sshd at LogLevel VERBOSE writes one `Starting session: command for USER from ...` line
per exec request (`subsystem 'sftp'` for a subsystem, `shell` for a login shell), so
counting those lines counts the remote commands a provisioner ran on the host.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SESSION = re.compile(
    r"Starting session: (command|subsystem '[^']*'|shell|forced-command \S+)"
    r"(?: on \S+)? for (\S+) from "
)
CONNECTION = re.compile(r"^Connection from 127\.0\.0\.1 port \d+ on ")


@dataclass(frozen=True)
class SessionCounts:
    """How many connections, exec requests and subsystem requests a log records."""

    connections: int
    exec_requests: int
    subsystem_requests: int
    exec_requests_by_user: dict[str, int]


def count_sessions(log_text: str) -> SessionCounts:
    """Count what `log_text` (an sshd log) records."""
    connections = exec_requests = subsystem_requests = 0
    by_user: Counter[str] = Counter()
    for line in log_text.splitlines():
        if CONNECTION.match(line):
            connections += 1
            continue
        match = SESSION.search(line)
        if match is None:
            continue
        if match.group(1) == "command":
            exec_requests += 1
            by_user[match.group(2)] += 1
        elif match.group(1).startswith("subsystem"):
            subsystem_requests += 1
    return SessionCounts(connections, exec_requests, subsystem_requests, dict(by_user))


def read_session_counts(log: Path) -> SessionCounts:
    """Count what the sshd log file `log` records (all boots)."""
    return count_sessions(log.read_text(errors="replace") if log.is_file() else "")
