"""`provision plan` and `provision apply`.

`plan` (= `apply --check`) gathers facts, plans and prints every change with the diffs of
the files it would write, touching nothing. `apply` locks each host, shows the plan, asks
before changing anything (`--yes` skips the question; without a terminal it is required
when changes are pending), applies, reboots where needed and allowed, proves convergence,
prints a recap and writes `--report FILE`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from provision.cli.apply_run import Run, Target
from provision.cli.options import (
    extra_vars_option,
    inventory_option,
    limit_option,
    playbook_argument,
)
from provision.cli.playbook import print_warnings, resolve
from provision.errors import ExitCode, InputError
from provision.report import HostStatus
from provision.runner.host_run import RunSettings
from provision.runner.reboot import DEFAULT_REBOOT_TIMEOUT_S
from provision.yaml_documents import is_special_file

Command = TypeVar("Command", bound=Callable[..., Any])


# Hosts `apply --verify` checks: the ones this run left in their desired state.
CONVERGED = {HostStatus.OK, HostStatus.CHANGED}


def _run_options(function: Command) -> Command:
    """Options `plan` and `apply` share."""
    function = click.option(
        "--accept-new-host-keys/--strict-host-keys", "accept_new", default=None,
        help="Trust and record the key of a host not yet in known_hosts (accept-new).",
    )(function)  # fmt: skip
    function = click.option(
        "-f", "--forks", type=click.IntRange(1, 1000), default=10, show_default=True,
        help="Hosts handled at the same time.",
    )(function)  # fmt: skip
    function = click.option(
        "--diff/--no-diff", default=None,
        help="Show the unified diff of every file to write (plan: on by default).",
    )(function)  # fmt: skip
    function = click.option(
        "-c", "--connection", type=click.Choice(["local"]), default=None,
        help="local: run on this machine instead of over SSH (one targeted host).",
    )(function)  # fmt: skip
    return extra_vars_option(limit_option(inventory_option(playbook_argument(function))))


def _target(
    playbook: Path,
    inventories: tuple[Path, ...],
    limit: str | None,
    extra_vars: tuple[str, ...],
    options: dict[str, Any],
) -> Target:
    plays = resolve(playbook, inventories, limit, extra_vars)
    print_warnings(plays)
    return Target(
        plays=plays,
        inventories=inventories,
        connection=options["connection"],
        accept_new=options["accept_new"],
        forks=options["forks"],
        force=options.get("force", False),
    )


def _plan(
    playbook: Path, target: Target, diff: bool, as_json: bool, detailed_exitcode: bool
) -> int:
    run = Run(target, RunSettings(), playbook)
    document = run.plan(diff=diff, as_json=as_json)
    if as_json:
        click.echo(json.dumps({"hosts": document}, indent=2))
    else:
        click.echo("\n".join(run.plan_summary()))
    return run.exit_code(detailed_exitcode)


@click.command("plan")
@_run_options
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 3 when changes are pending (0 when none)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the plans as one JSON document.")
def plan_command(
    playbook: Path,
    inventories: tuple[Path, ...],
    limit: str | None,
    extra_vars: tuple[str, ...],
    detailed_exitcode: bool,
    as_json: bool,
    **options: Any,
) -> int:
    """Show what `apply` would change on each host (facts, plan, diffs); change nothing."""
    target = _target(playbook, inventories, limit, extra_vars, options)
    diff = options["diff"] is not False
    return _plan(playbook, target, diff, as_json, detailed_exitcode)


@click.command("apply")
@_run_options
@click.option("--check", is_flag=True, help="Only plan, as `provision plan`.")
@click.option("-y", "--yes", is_flag=True, help="Apply without asking for confirmation.")
@click.option(
    "--report", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Write the run's JSON report to this file.",
)  # fmt: skip
@click.option(
    "--reboot/--no-reboot", "reboot", default=None,
    help="Override the state's reboot policy (auto / never) for this run.",
)  # fmt: skip
@click.option(
    "--reboot-timeout", type=click.FloatRange(1, 86400), default=DEFAULT_REBOOT_TIMEOUT_S,
    show_default=True, help="Seconds a rebooting host has to come back.",
)  # fmt: skip
@click.option(
    "--force", is_flag=True,
    help="Change the driver even on hosts where processes use the GPU (else: busy).",
)  # fmt: skip
@click.option(
    "--allow-local-reboot", is_flag=True,
    help="Let a run with -c local reboot this machine when the plan needs it.",
)  # fmt: skip
@click.option(
    "--verify", "verify", is_flag=True,
    help="Right after converging, run `provision verify`'s checks on the converged hosts.",
)  # fmt: skip
@click.option(
    "--junitxml", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="With --verify: write pytest's JUnit XML (one test case per check per host).",
)  # fmt: skip
def apply_command(
    playbook: Path,
    inventories: tuple[Path, ...],
    limit: str | None,
    extra_vars: tuple[str, ...],
    check: bool,
    yes: bool,
    report: Path | None,
    reboot: bool | None,
    reboot_timeout: float,
    allow_local_reboot: bool,
    verify: bool,
    junitxml: Path | None,
    **options: Any,
) -> int:
    """Converge each host to its desired state: plan, confirm, apply, reboot, verify."""
    if report is not None and not report.parent.resolve().is_dir():
        raise InputError(f"--report: folder {report.parent} does not exist")
    if report is not None and is_special_file(report):
        raise InputError(f"--report: {report} is not a regular file (writing could block)")
    target = _target(playbook, inventories, limit, extra_vars, options)
    if check:
        return _plan(playbook, target, options["diff"] is not False, False, False)
    settings = RunSettings(
        reboot=None if reboot is None else ("auto" if reboot else "never"),
        reboot_timeout_s=reboot_timeout,
        allow_local_reboot=allow_local_reboot,
    )
    if junitxml is not None and not verify:
        raise InputError("--junitxml goes with --verify")
    run = Run(target, settings, playbook)
    try:
        try:
            run.apply(diff=bool(options["diff"]), yes=yes)
        finally:
            if run.outcomes:
                run.finish(report)
        exit_code = run.exit_code(detailed=False)
        if verify and not run.interrupted:
            from provision.cli.verify import verify_converged  # pytest: only with --verify

            converged = {
                name for name, outcome in run.outcomes.items() if outcome.status in CONVERGED
            }
            passed = verify_converged(target.plays, converged, run.connections, junitxml)
            if not passed and exit_code == ExitCode.OK:
                exit_code = int(ExitCode.HOST_FAILED)
    finally:
        run.close()
    return exit_code
