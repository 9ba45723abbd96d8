"""Runs the benchmark: for each host count and tool, fresh hosts, a first run, an untimed
reboot of every host, then the no-op runs; and `provision`'s start-up cost."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.lab_session import fresh_lab, lab_down, reboot_all, sshd_logs
from bench.machine import machine_description
from bench.measure import Measurement, ProcessFigures, measure, run_process_tree
from bench.results import BenchReport, PhaseResult, Sample, per_host_mean, rounded, spread
from bench.tool import Invocation, Lab, Tool
from bench.venvs import venv_command, venv_python

LOG_TAIL_LINES = 15


@dataclass(frozen=True)
class Settings:
    """What to measure and where the harness keeps its lab, venvs, logs and results."""

    hosts: list[int]
    tools: list[str]
    noop_runs: int
    startup_runs: int
    repository: Path
    lab_dir: Path
    venvs: Path
    work: Path
    out: Path


def say(message: str) -> None:
    """Progress goes to stderr, so stdout carries only the table."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def sample_of(
    measurement: Measurement, repository: Path, ok_exit_codes: tuple[int, ...] = (0,)
) -> Sample:
    """A `Sample` from a measurement (SSH counts averaged over the hosts)."""
    process, sessions = measurement.process, measurement.sessions
    try:
        log = str(measurement.log.relative_to(repository))
    except ValueError:
        log = str(measurement.log)
    return Sample(
        wall_s=process.wall_s, cpu_s=process.cpu_s, peak_rss_mb=process.peak_rss_mb,
        returncode=process.returncode,
        ssh_connections_per_host=per_host_mean(sessions, "connections"),
        remote_commands_per_host=per_host_mean(sessions, "exec_requests"),
        sftp_sessions_per_host=per_host_mean(sessions, "subsystem_requests"),
        leftover_processes=process.leftover_processes, log=log, ok_exit_codes=ok_exit_codes,
    )  # fmt: skip


def _report_sample(label: str, sample: Sample, log: Path) -> None:
    figures = f"{sample.wall_s:.2f} s wall, {sample.cpu_s:.2f} s CPU"
    if not sample.failed:
        say(f"{label}: {figures}, {sample.remote_commands_per_host:.1f} commands/host")
        return
    say(f"{label}: FAILED (exit {sample.returncode}) after {figures}; log {log}")
    for line in log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]:
        print(f"    {line}", file=sys.stderr)


def _measure_phase(
    settings: Settings, invocation: Invocation, lab: Lab, phase: PhaseResult, runs: int
) -> None:
    for number in range(1, runs + 1):
        log = lab.workdir / (f"{phase.phase}-{number}.log" if runs > 1 else f"{phase.phase}.log")
        measurement = measure(invocation, log, sshd_logs(settings.lab_dir, lab))
        accepted = invocation.ok_exit_codes if phase.phase == "first" else (0,)
        sample = sample_of(measurement, settings.repository, accepted)
        phase.samples.append(sample)
        label = f"{phase.tool} {phase.variant} N={phase.hosts} {phase.phase}"
        _report_sample(f"{label} #{number}" if runs > 1 else label, sample, log)


def measure_variant(settings: Settings, tool: Tool, variant: str, hosts: int) -> list[PhaseResult]:
    """Fresh hosts, the first run, a reboot of every host, the no-op runs."""
    workdir = settings.work / f"{tool.name}-{variant}-{hosts}"
    if workdir.exists():
        shutil.rmtree(workdir)
    lab = fresh_lab(settings.lab_dir, hosts, workdir)
    venv = settings.venvs / tool.name
    invocation = tool.invocation(variant, lab, venv)
    first = PhaseResult(tool.name, variant, hosts, "first")
    noop = PhaseResult(tool.name, variant, hosts, "noop")
    _measure_phase(settings, invocation, lab, first, 1)
    if first.samples[0].failed:
        say(f"{tool.name} {variant} N={hosts}: no no-op runs after a failed first run")
        return [first, noop]
    reboot_all(settings.lab_dir, lab)
    _measure_phase(settings, invocation, lab, noop, settings.noop_runs)
    return [first, noop]


def startup_figures(settings: Settings) -> dict[str, Any]:
    """Wall and CPU time of `provision --version` and `python -c 'import provision'`."""
    venv = settings.venvs / "provision"
    commands = {
        "provision --version": [str(venv_command(venv, "provision")), "--version"],
        "python -c 'import provision'": [str(venv_python(venv)), "-c", "import provision"],
    }
    log = settings.work / "startup.log"
    figures: dict[str, Any] = {}
    for label, argv in commands.items():
        samples: list[ProcessFigures] = [
            run_process_tree(Invocation(argv=argv, env={}, cwd=settings.repository), log)
            for _ in range(settings.startup_runs)
        ]
        wall = spread(sample.wall_s for sample in samples if sample.returncode == 0)
        cpu = spread(sample.cpu_s for sample in samples if sample.returncode == 0)
        figures[label] = {
            "runs": len(samples), "failed_runs": sum(s.returncode != 0 for s in samples),
            "wall_s_median": rounded(wall.median), "wall_s_min": rounded(wall.minimum),
            "wall_s_max": rounded(wall.maximum), "cpu_s_median": rounded(cpu.median),
        }  # fmt: skip
    return figures


def install_tools(settings: Settings, tools: list[Tool]) -> tuple[list[Tool], dict[str, Any]]:
    """Install each tool into its venv once; a tool that fails to install is left out."""
    installed, versions = [], {}
    for tool in tools:
        say(f"installing {tool.name} into {settings.venvs / tool.name}")
        try:
            versions[tool.name] = tool.install(settings.venvs / tool.name)
        except Exception as error:  # an adapter's failure must not stop the other tools
            say(f"{tool.name}: install FAILED: {error}")
            versions[tool.name] = {"install_error": str(error)}
            continue
        installed.append(tool)
    return installed, versions


def run_benchmark(settings: Settings, tools: list[Tool]) -> BenchReport:
    """Measure every tool at every host count; always take the lab down at the end."""
    started = datetime.now(UTC)
    machine = machine_description()
    settings.work.mkdir(parents=True, exist_ok=True)
    installed, versions = install_tools(settings, tools)
    startup = startup_figures(settings) if "provision" in [t.name for t in installed] else {}
    results: list[PhaseResult] = []
    errors: list[str] = []
    try:
        for hosts in settings.hosts:
            for tool in installed:
                for variant in tool.variants(hosts):
                    try:
                        results += measure_variant(settings, tool, variant, hosts)
                    except Exception as error:  # one tool's broken setup must not stop the rest
                        errors.append(f"{tool.name} {variant} N={hosts}: {error}")
                        say(f"{errors[-1]} (not measured)")
    finally:
        lab_down(settings.lab_dir)
    machine["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    return BenchReport(
        date=started.date().isoformat(),
        machine=machine,
        versions=versions,
        startup=startup,
        results=results,
        settings={
            "started_at": started.isoformat(timespec="seconds"),
            "hosts": settings.hosts, "tools": [tool.name for tool in tools],
            "noop_runs": settings.noop_runs, "reboot_between_first_and_noop": True,
            "fresh_hosts_per_variant": "provision lab down + up (new overlays of the base image)",
            "errors": errors,
        },
    )  # fmt: skip
