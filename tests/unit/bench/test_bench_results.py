"""Medians, ranges, per-host means and ratios to provision in the benchmark's results."""

from __future__ import annotations

from bench.results import (
    PhaseResult,
    Sample,
    per_host_mean,
    ratio,
    ratios,
    spread,
    summary,
)
from provision_lab.sshd_log import SessionCounts


def sample(wall: float, cpu: float = 1.0, returncode: int = 0, commands: float = 10.0) -> Sample:
    return Sample(
        wall_s=wall, cpu_s=cpu, peak_rss_mb=50.0, returncode=returncode,
        ssh_connections_per_host=1.0, remote_commands_per_host=commands,
        sftp_sessions_per_host=0.0,
    )  # fmt: skip


def test_spread_takes_the_median_of_an_even_series_as_the_mean_of_the_middle_two() -> None:
    values = spread([4.0, 1.0, 3.0, 2.0])
    assert (values.median, values.minimum, values.maximum) == (2.5, 1.0, 4.0)


def test_spread_of_nothing_is_all_none() -> None:
    values = spread([])
    assert (values.median, values.minimum, values.maximum) == (None, None, None)


def test_per_host_mean_averages_one_session_field_over_the_hosts() -> None:
    counts = {
        "lab-01": SessionCounts(2, 30, 1, {"root": 30}),
        "lab-02": SessionCounts(4, 10, 0, {"root": 10}),
    }
    assert per_host_mean(counts, "connections") == 3.0
    assert per_host_mean(counts, "exec_requests") == 20.0
    assert per_host_mean({}, "exec_requests") == 0.0


def test_ratio_is_none_without_a_usable_reference() -> None:
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(3.0, 0.0) is None
    assert ratio(None, 1.0) is None
    assert ratio(1.0, None) is None


def test_summary_leaves_failed_runs_out_of_the_medians_but_counts_them() -> None:
    result = PhaseResult(
        "ansible", "default", 5, "noop", [sample(10.0), sample(1.0, returncode=2), sample(12.0)]
    )
    entry = summary(result)
    assert entry["runs"] == 3
    assert entry["failed_runs"] == 1
    assert entry["wall_s_median"] == 11.0
    assert (entry["wall_s_min"], entry["wall_s_max"]) == (10.0, 12.0)
    assert [run["returncode"] for run in entry["samples"]] == [0, 2, 0]


def test_summary_of_only_failed_runs_has_no_medians() -> None:
    entry = summary(PhaseResult("pyinfra", "default", 1, "first", [sample(5.0, returncode=1)]))
    assert entry["wall_s_median"] is None
    assert entry["cpu_s_median"] is None
    assert entry["remote_commands_per_host"] is None


def test_ratios_compare_each_other_tool_with_provision_default_at_the_same_n_and_phase() -> None:
    entries = [
        summary(PhaseResult("provision", "default", 5, "noop", [sample(2.0, cpu=1.0)])),
        summary(PhaseResult("provision", "forks-20", 5, "noop", [sample(1.0, cpu=1.0)])),
        summary(PhaseResult("ansible", "default", 5, "noop", [sample(8.0, cpu=5.0)])),
        summary(PhaseResult("ansible", "default", 5, "first", [sample(80.0)])),
    ]
    rows = ratios(entries)
    assert {"tool": "ansible", "variant": "default", "hosts": 5, "phase": "noop",
            "wall_ratio": 4.0, "cpu_ratio": 5.0} in rows  # fmt: skip
    assert {"tool": "provision", "variant": "forks-20", "hosts": 5, "phase": "noop",
            "wall_ratio": 0.5, "cpu_ratio": 1.0} in rows  # fmt: skip
    # No provision "first" run was measured, so ansible's first run has nothing to compare to.
    assert len(rows) == 2
