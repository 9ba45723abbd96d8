"""Benchmark results: samples, their medians and ranges, ratios to provision, JSON.

Everything here is pure: the harness turns measurements into `Sample`s, and these functions
summarise and serialise them.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from provision_lab.sshd_log import SessionCounts

REFERENCE_TOOL = "provision"
REFERENCE_VARIANT = "default"


@dataclass(frozen=True)
class Sample:
    """One measured invocation."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    ssh_connections_per_host: float
    remote_commands_per_host: float
    sftp_sessions_per_host: float
    leftover_processes: int = 0
    log: str = ""
    ok_exit_codes: tuple[int, ...] = (0,)

    @property
    def failed(self) -> bool:
        """Whether the tool exited with a code other than its successful ones."""
        return self.returncode not in self.ok_exit_codes


@dataclass(frozen=True)
class PhaseResult:
    """The samples of one tool, variant, host count and phase ("first" or "noop")."""

    tool: str
    variant: str
    hosts: int
    phase: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def succeeded(self) -> list[Sample]:
        """The samples whose invocation succeeded: the only ones the medians use."""
        return [sample for sample in self.samples if not sample.failed]


@dataclass(frozen=True)
class Spread:
    """Median, minimum and maximum of a series (None when it is empty)."""

    median: float | None
    minimum: float | None
    maximum: float | None


def spread(values: Iterable[float]) -> Spread:
    """The median, minimum and maximum of `values`."""
    series = list(values)
    if not series:
        return Spread(None, None, None)
    return Spread(statistics.median(series), min(series), max(series))


def per_host_mean(counts: Mapping[str, SessionCounts], what: str) -> float:
    """The mean over hosts of one `SessionCounts` field ("connections", "exec_requests"...)."""
    if not counts:
        return 0.0
    values: list[int] = [getattr(host_counts, what) for host_counts in counts.values()]
    return sum(values) / len(values)


def ratio(value: float | None, reference: float | None) -> float | None:
    """value / reference, or None when either is missing or the reference is zero."""
    if value is None or reference is None or reference == 0:
        return None
    return value / reference


def rounded(value: float | None, digits: int = 3) -> float | None:
    """`value` rounded for the JSON document (None stays None)."""
    return None if value is None else round(value, digits)


def summary(result: PhaseResult) -> dict[str, Any]:
    """One entry of the JSON `runs` list: medians (and min/max) over successful samples."""
    good = result.succeeded
    entry: dict[str, Any] = {
        "tool": result.tool, "variant": result.variant, "hosts": result.hosts,
        "phase": result.phase, "runs": len(result.samples),
        "failed_runs": len(result.samples) - len(good),
    }  # fmt: skip
    for name in ("wall_s", "cpu_s", "peak_rss_mb"):
        values = spread(getattr(sample, name) for sample in good)
        entry[f"{name}_median"] = rounded(values.median)
        entry[f"{name}_min"] = rounded(values.minimum)
        entry[f"{name}_max"] = rounded(values.maximum)
    entry["peak_rss_mb"] = entry.pop("peak_rss_mb_median")
    for name in ("ssh_connections_per_host", "remote_commands_per_host", "sftp_sessions_per_host"):
        entry[name] = rounded(spread(getattr(sample, name) for sample in good).median, 2)
    entry["leftover_processes"] = max((sample.leftover_processes for sample in good), default=0)
    entry["samples"] = [
        {
            "wall_s": round(sample.wall_s, 3), "cpu_s": round(sample.cpu_s, 3),
            "peak_rss_mb": round(sample.peak_rss_mb, 1), "returncode": sample.returncode,
            "ssh_connections_per_host": round(sample.ssh_connections_per_host, 2),
            "remote_commands_per_host": round(sample.remote_commands_per_host, 2),
            "sftp_sessions_per_host": round(sample.sftp_sessions_per_host, 2),
            "log": sample.log,
        }
        for sample in result.samples
    ]  # fmt: skip
    return entry


def ratios(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each other tool's wall and CPU medians over provision's default variant's, per N and
    phase."""
    reference = {
        (entry["hosts"], entry["phase"]): entry
        for entry in entries
        if entry["tool"] == REFERENCE_TOOL and entry["variant"] == REFERENCE_VARIANT
    }
    rows = []
    for entry in entries:
        base = reference.get((entry["hosts"], entry["phase"]))
        if base is None or entry is base:
            continue
        rows.append({
            "tool": entry["tool"], "variant": entry["variant"], "hosts": entry["hosts"],
            "phase": entry["phase"],
            "wall_ratio": rounded(ratio(entry["wall_s_median"], base["wall_s_median"]), 3),
            "cpu_ratio": rounded(ratio(entry["cpu_s_median"], base["cpu_s_median"]), 3),
        })  # fmt: skip
    return rows


@dataclass(frozen=True)
class BenchReport:
    """Everything one `python -m bench` run found."""

    date: str
    machine: dict[str, Any]
    versions: dict[str, dict[str, str]]
    startup: dict[str, Any]
    results: list[PhaseResult]
    settings: dict[str, Any]

    def runs(self) -> list[dict[str, Any]]:
        """The JSON `runs` list."""
        return [summary(result) for result in self.results]


def report_document(report: BenchReport) -> dict[str, Any]:
    """The JSON document (`bench/results/<date>.json`)."""
    runs = report.runs()
    return {
        "date": report.date, "machine": report.machine, "versions": report.versions,
        "settings": report.settings, "startup": report.startup, "runs": runs,
        "ratios_to_provision": ratios(runs),
    }  # fmt: skip
