"""Renders benchmark results: the console table and the Markdown report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench.results import REFERENCE_TOOL, REFERENCE_VARIANT

COLUMNS = (
    ("tool", "tool"), ("variant", "variant"), ("hosts", "N"), ("phase", "phase"),
    ("ok", "ok/runs"), ("wall", "wall s (min-max)"), ("cpu", "cpu s (min-max)"),
    ("peak_rss_mb", "RSS MB"), ("ssh_connections_per_host", "conn/host"),
    ("remote_commands_per_host", "cmds/host"), ("sftp_sessions_per_host", "sftp/host"),
)  # fmt: skip


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _with_range(entry: Mapping[str, Any], stem: str) -> str:
    median = entry[f"{stem}_median"]
    if median is None:
        return "failed"
    return f"{median:.2f} ({entry[f'{stem}_min']:.2f}-{entry[f'{stem}_max']:.2f})"


def table_rows(entries: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """One row of cells per summary entry, in `COLUMNS` order."""
    rows = []
    for entry in entries:
        cells = {
            "tool": entry["tool"], "variant": entry["variant"], "hosts": str(entry["hosts"]),
            "phase": entry["phase"],
            "ok": f"{entry['runs'] - entry['failed_runs']}/{entry['runs']}",
            "wall": _with_range(entry, "wall_s"), "cpu": _with_range(entry, "cpu_s"),
            "peak_rss_mb": _number(entry["peak_rss_mb"], 0),
            "ssh_connections_per_host": _number(entry["ssh_connections_per_host"], 1),
            "remote_commands_per_host": _number(entry["remote_commands_per_host"], 1),
            "sftp_sessions_per_host": _number(entry["sftp_sessions_per_host"], 1),
        }  # fmt: skip
        rows.append([cells[key] for key, _title in COLUMNS])
    return rows


def console_table(entries: Sequence[Mapping[str, Any]]) -> str:
    """The results as an aligned plain-text table."""
    header = [title for _key, title in COLUMNS]
    rows = [header, *table_rows(entries)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    escaped = [[cell.replace("|", "\\|") for cell in row] for row in rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in escaped]
    return "\n".join(lines)


def _ratio_rows(ratios: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    return [
        [
            row["tool"], row["variant"], str(row["hosts"]), row["phase"],
            "-" if row["wall_ratio"] is None else f"{row['wall_ratio']:.3g}x",
            "-" if row["cpu_ratio"] is None else f"{row['cpu_ratio']:.3g}x",
        ]
        for row in ratios
    ]  # fmt: skip


def _key_values(mapping: Mapping[str, Any]) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in mapping.items())


def _startup_lines(startup: Mapping[str, Any]) -> str:
    if not startup:
        return "Not measured (provision did not run)."
    return "\n".join(
        f"- `{command}`: {_number(figures.get('wall_s_median'), 3)} s wall, "
        f"{_number(figures.get('cpu_s_median'), 3)} s CPU (median of {figures.get('runs', 0)})"
        for command, figures in startup.items()
    )


def markdown_report(document: Mapping[str, Any]) -> str:
    """The Markdown companion of the JSON document (`bench/results/<date>.md`)."""
    versions = "\n".join(
        f"- {tool}: " + ", ".join(f"{name} {version}" for name, version in found.items())
        for tool, found in document["versions"].items()
    )
    header = [title for _key, title in COLUMNS]
    ratio_header = ["tool", "variant", "N", "phase", "wall / provision", "CPU / provision"]
    ratios = document["ratios_to_provision"]
    sections = [
        f"# Benchmark {document['date']}",
        "Medians of the successful runs (min-max in brackets); wall = elapsed time of the "
        "control process; CPU = user+system time of its whole process tree; RSS = peak "
        "resident set of the control process; conn/host, cmds/host, sftp/host = SSH "
        "connections, exec requests and sftp sessions per host, from each host's sshd log.",
        "## Results\n\n" + markdown_table(header, table_rows(document["runs"])),
        f"## Ratios to provision ({REFERENCE_TOOL} `{REFERENCE_VARIANT}`, same N and phase, "
        "same run)\n\n"
        + (markdown_table(ratio_header, _ratio_rows(ratios)) if ratios else "No other tool ran."),
        "## Start-up\n\n" + _startup_lines(document["startup"]),
        "## Machine\n\n" + _key_values(document["machine"]),
        "## Versions\n\n" + versions,
        "## Settings\n\n" + _key_values(document["settings"]),
    ]
    return "\n\n".join(sections) + "\n"
