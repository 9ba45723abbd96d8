"""The JSON document, console table and Markdown report of a benchmark run."""

from __future__ import annotations

import json

from bench.rendering import console_table, markdown_report, markdown_table
from bench.results import BenchReport, PhaseResult, Sample, report_document


def sample(wall: float, returncode: int = 0) -> Sample:
    return Sample(
        wall_s=wall, cpu_s=wall / 2, peak_rss_mb=80.0, returncode=returncode,
        ssh_connections_per_host=1.0, remote_commands_per_host=12.0, sftp_sessions_per_host=0.0,
    )  # fmt: skip


def report() -> BenchReport:
    return BenchReport(
        date="2026-11-27",
        machine={"cores": 2, "memory_gib": 23.5, "kernel": "6.1.0", "python": "3.11.7"},
        versions={"provision": {"provision": "0.1.0"}, "ansible": {"ansible-core": "2.17.0"}},
        startup={"provision --version": {"runs": 3, "wall_s_median": 0.21, "cpu_s_median": 0.2}},
        results=[
            PhaseResult("provision", "default", 1, "noop", [sample(2.0), sample(3.0)]),
            PhaseResult("ansible", "default", 1, "noop", [sample(9.0), sample(1.0, 2)]),
        ],
        settings={"noop_runs": 2},
    )


def test_the_document_has_the_schema_of_bench_md_and_survives_json() -> None:
    document = json.loads(json.dumps(report_document(report())))
    assert set(document) >= {"machine", "versions", "runs", "startup", "ratios_to_provision"}
    run = document["runs"][0]
    for key in ("tool", "variant", "hosts", "phase", "wall_s_median", "cpu_s_median",
                "peak_rss_mb", "ssh_connections_per_host", "remote_commands_per_host"):  # fmt: skip
        assert key in run
    assert run["wall_s_median"] == 2.5
    assert document["ratios_to_provision"] == [
        {"tool": "ansible", "variant": "default", "hosts": 1, "phase": "noop",
         "wall_ratio": 3.6, "cpu_ratio": 3.6},
    ]  # fmt: skip


def test_the_console_table_has_a_row_per_phase_with_the_failed_runs_shown() -> None:
    lines = console_table(report_document(report())["runs"]).splitlines()
    assert lines[0].split()[:4] == ["tool", "variant", "N", "phase"]
    assert len(lines) == 4
    assert "2/2" in lines[2] and "2.50 (2.00-3.00)" in lines[2]
    assert "1/2" in lines[3] and "9.00 (9.00-9.00)" in lines[3]


def test_the_markdown_report_shows_results_ratios_machine_and_versions() -> None:
    text = markdown_report(report_document(report()))
    assert text.startswith("# Benchmark 2026-11-27\n")
    assert "| ansible | default | 1 | noop | 3.6x | 3.6x |" in text
    assert "- cores: 2" in text
    assert "- ansible: ansible-core 2.17.0" in text
    assert "`provision --version`: 0.210 s wall" in text


def test_markdown_cells_escape_pipes() -> None:
    table = markdown_table(["a", "b"], [["x|y", "z"]])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| x\\|y | z |"]
