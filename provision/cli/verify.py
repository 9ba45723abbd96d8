"""`provision verify`: check hosts against their desired state with pytest + testinfra.

Per host a table of checks (passed, failed, skipped, with the reason); `--junitxml` is
pytest's own JUnit file, one test case per check per host; `--report` a JSON document.
Exit 1 when any check fails, 2 on bad input.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from provision.cli.connections import connect_hosts
from provision.cli.options import extra_vars_option, limit_option, playbook_argument
from provision.cli.playbook import print_warnings, resolve
from provision.connection import Connection
from provision.errors import ExitCode, InputError
from provision.playbook import PlayTargets
from provision.verify import VerifyOptions, VerifyResult, verify_hosts

_STYLES = {"passed": "green", "failed": "bold red", "skipped": "yellow", "not run": "red"}


def run_verify(
    plays: list[PlayTargets], connections: Mapping[str, Connection], junitxml: Path | None
) -> VerifyResult:
    """Verify every host of `plays` over its connection (by name) and print the tables."""
    result = verify_hosts(plays, connections, VerifyOptions(junitxml=junitxml))
    print_result(result, Console(soft_wrap=False))
    return result


def verify_converged(
    plays: list[PlayTargets],
    converged: set[str],
    connections: Mapping[str, Connection],
    junitxml: Path | None,
) -> bool:
    """`apply --verify`: verify the hosts that `apply` left converged, over the connections
    it converged them with; True when every check passed (or no host converged, which
    `apply` reports itself)."""
    narrowed = [
        replace(play, hosts=tuple(host for host in play.hosts if host.name in converged))
        for play in plays
    ]
    narrowed = [play for play in narrowed if play.hosts]
    if not narrowed:
        return True
    return not run_verify(narrowed, connections, junitxml).failed


def print_result(result: VerifyResult, console: Console) -> None:
    """One table per host: check, outcome, what was checked or what is wrong."""
    for host in result.hosts():
        cases = [case for case in result.cases if case.host_name == host]
        counts = {outcome: sum(case.outcome == outcome for case in cases)
                  for outcome in ("passed", "failed", "skipped")}  # fmt: skip
        table = Table(title=f"{host}: " + ", ".join(f"{n} {o}" for o, n in counts.items()),
                      title_justify="left")  # fmt: skip
        table.add_column("check", style="bold")
        table.add_column("result")
        table.add_column("asserted / reason", overflow="fold")
        for case in cases:
            reason = case.message or case.check.assertion
            table.add_row(case.check.name, f"[{_STYLES[case.outcome]}]{case.outcome}[/]", reason)
        console.print(table)


def report_document(result: VerifyResult) -> dict[str, object]:
    """The `--report` JSON: per host, each check with its resource, outcome and message."""
    return {
        "failed": result.failed,
        "hosts": {
            host: [
                {
                    "check": case.check.name,
                    "kind": case.check.kind,
                    "resource": case.check.resource,
                    "assertion": case.check.assertion,
                    "outcome": case.outcome,
                    "message": case.message,
                }
                for case in result.cases
                if case.host_name == host
            ]
            for host in result.hosts()
        },
    }


@click.command("verify")
@playbook_argument
@click.option(
    "-i", "--inventory", "inventories", multiple=True, type=click.Path(path_type=Path),
    help="Inventory file or folder; repeat to combine.",
)  # fmt: skip
@limit_option
@extra_vars_option
@click.option(
    "-c", "--connection", type=click.Choice(["local"]), default=None,
    help="local: verify this machine (the one host the plays target) instead of over SSH.",
)  # fmt: skip
@click.option(
    "--accept-new-host-keys/--strict-host-keys", "accept_new", default=None,
    help="Trust and record the key of a host not yet in known_hosts (never a changed key).",
)  # fmt: skip
@click.option("--junitxml", type=click.Path(path_type=Path), default=None,
              help="Write pytest's JUnit XML: one test case per check per host.")  # fmt: skip
@click.option("--report", type=click.Path(path_type=Path), default=None,
              help="Write the outcomes as JSON.")  # fmt: skip
def verify_command(
    playbook: Path,
    inventories: tuple[Path, ...],
    limit: str | None,
    extra_vars: tuple[str, ...],
    connection: str | None,
    accept_new: bool | None,
    junitxml: Path | None,
    report: Path | None,
) -> int:
    """Check that hosts are in the playbook's desired state (driver, CUDA, cuDNN, conda,
    PyTorch smoke test, libtorch build)."""
    if not inventories:
        raise InputError("give an inventory with -i INVENTORY")
    plays = resolve(playbook, inventories, limit, extra_vars)
    print_warnings(plays)
    names = [host.name for play in plays for host in play.hosts]
    connections = connect_hosts(
        names, inventories, local=connection == "local", accept_new=accept_new
    )
    try:
        result = run_verify(plays, connections, junitxml)
    finally:
        for opened in connections.values():
            opened.close()
    if report is not None:
        report.write_text(json.dumps(report_document(result), indent=2) + "\n")
    return int(ExitCode.HOST_FAILED if result.failed else ExitCode.OK)
