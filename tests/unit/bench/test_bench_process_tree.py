"""Measuring a command's whole process tree: exit code, descendants' CPU, leftovers reaped."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.errors import BenchError
from bench.measure import run_process_tree
from bench.tool import Invocation

BUSY = "sum(range(10**7))"


def test_the_exit_code_and_output_of_the_command_are_kept(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    invocation = Invocation(["sh", "-c", "echo out; echo err >&2; exit 3"], {}, tmp_path)
    figures = run_process_tree(invocation, log)
    assert figures.returncode == 3
    assert log.read_text().splitlines() == ["out", "err"]


def test_cpu_of_waited_for_grandchildren_is_counted(tmp_path: Path) -> None:
    invocation = Invocation(["sh", "-c", f"{sys.executable} -c '{BUSY}'"], {}, tmp_path)
    figures = run_process_tree(invocation, tmp_path / "run.log")
    assert figures.returncode == 0
    assert figures.cpu_s > 0.05
    assert figures.leftover_processes == 0


def test_orphaned_descendants_are_adopted_stopped_and_counted(tmp_path: Path) -> None:
    marker = tmp_path / "orphan.pid"
    script = f"(sleep 300 & echo $! > {marker}) ; exit 0"
    figures = run_process_tree(Invocation(["sh", "-c", script], {}, tmp_path), tmp_path / "l")
    assert figures.leftover_processes == 1
    assert not Path(f"/proc/{marker.read_text().strip()}").exists()


def test_the_invocation_environment_and_folder_are_used(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    invocation = Invocation(
        ["sh", "-c", 'echo "$BENCH_PROBE $PWD"'], {"BENCH_PROBE": "x"}, tmp_path
    )
    run_process_tree(invocation, log)
    assert log.read_text().strip() == f"x {tmp_path}"


def test_a_missing_program_is_a_bench_error(tmp_path: Path) -> None:
    invocation = Invocation([str(tmp_path / "no-such-tool")], {}, tmp_path)
    with pytest.raises(BenchError, match="no-such-tool"):
        run_process_tree(invocation, tmp_path / "run.log")
