"""Counting only the sshd log lines an invocation added, per host."""

from __future__ import annotations

from pathlib import Path

from bench.measure import SshdLogCursor

CONNECTION = 'Connection from 127.0.0.1 port 40000 on 127.0.0.1 port 2222 rdomain ""\n'
COMMAND = "Starting session: command for root from 127.0.0.1 port 40000 id 0\n"
SFTP = "Starting session: subsystem 'sftp' for root from 127.0.0.1 port 40000 id 1\n"


def test_only_lines_written_after_the_cursor_count(tmp_path: Path) -> None:
    log = tmp_path / "sshd.log"
    log.write_text(CONNECTION + COMMAND * 5)
    cursor = SshdLogCursor({"lab-01": log})
    with log.open("a") as stream:
        stream.write(CONNECTION + COMMAND * 2 + SFTP)
    counts = cursor.counts()["lab-01"]
    assert counts.connections == 1
    assert counts.exec_requests == 2
    assert counts.subsystem_requests == 1


def test_hosts_are_counted_separately(tmp_path: Path) -> None:
    first, second = tmp_path / "one.log", tmp_path / "two.log"
    first.write_text("")
    second.write_text(COMMAND)
    cursor = SshdLogCursor({"lab-01": first, "lab-02": second})
    first.write_text(CONNECTION + COMMAND * 3)
    counts = cursor.counts()
    assert counts["lab-01"].exec_requests == 3
    assert counts["lab-02"].exec_requests == 0


def test_a_log_that_appears_after_the_cursor_counts_from_its_start(tmp_path: Path) -> None:
    log = tmp_path / "sshd.log"
    cursor = SshdLogCursor({"lab-01": log})
    assert cursor.counts()["lab-01"].exec_requests == 0
    log.write_text(CONNECTION + COMMAND)
    assert cursor.counts()["lab-01"].exec_requests == 1
