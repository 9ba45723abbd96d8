"""`provision verify`: check hosts against their desired state with pytest + testinfra.

Per host a table of checks (passed, failed, skipped, with the reason); `--junitxml` is
pytest's own JUnit file, one test case per check per host; `--report` a JSON document.
Exit 1 when any check fails, 2 on bad input.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from provision.cli.options import extra_vars_option, limit_option, playbook_argument
from provision.cli.playbook import print_warnings, resolve
from provision.connection import (
    Connection,
    LocalConnection,
    ask_once,
    open_connection,
    terminal_prompt,
)
from provision.connection.become import PasswordSource
from provision.errors import ExitCode, InputError
from provision.inventory import load_inventory
from provision.playbook import PlayTargets
from provision.verify import VerifyOptions, VerifyResult, verify_hosts

_STYLES = {"passed": "green", "failed": "bold red", "skipped": "yellow", "not run": "red"}


def _connections(
    plays: list[PlayTargets], inventories: tuple[Path, ...], local: bool, accept_new: bool | None
) -> dict[str, Connection]:
    names = list(dict.fromkeys(host.name for play in plays for host in play.hosts))
    if not names:
        raise InputError("the playbook's plays target no hosts of the inventory")
    prompt = terminal_prompt()
    shared = ask_once(prompt) if prompt is not None else None
    if local:
        if len(names) != 1:
            raise InputError(
                f"-c local verifies this machine, but the plays target {len(names)} hosts "
                f"({', '.join(names)}): narrow them to one with --limit"
            )
        return {names[0]: LocalConnection(name=names[0], passwords=PasswordSource(prompt=shared))}
    inventory = load_inventory(list(inventories))
    return {
        name: open_connection(
            inventory.connection(name),
            inventory.host_vars(name),
            accept_new_host_keys=accept_new,
            prompt=shared,
        )
        for name in names
    }


def run_verify(
    plays: list[PlayTargets],
    inventories: tuple[Path, ...],
    local: bool,
    accept_new: bool | None,
    junitxml: Path | None,
) -> VerifyResult:
    """Verify every host of `plays` over its own connection and print the tables."""
    connections = _connections(plays, inventories, local, accept_new)
    try:
        result = verify_hosts(plays, connections, VerifyOptions(junitxml=junitxml))
    finally:
        for opened in connections.values():
            opened.close()
    print_result(result, Console(soft_wrap=False))
    return result


def verify_converged(
    plays: list[PlayTargets],
    converged: set[str],
    inventories: tuple[Path, ...],
    local: bool,
    accept_new: bool | None,
    junitxml: Path | None,
) -> bool:
    """`apply --verify`: verify the hosts that `apply` left converged; True when every
    check passed (or no host converged, which `apply` reports itself)."""
    narrowed = [
        replace(play, hosts=tuple(host for host in play.hosts if host.name in converged))
        for play in plays
    ]
    narrowed = [play for play in narrowed if play.hosts]
    if not narrowed:
        return True
    return not run_verify(narrowed, inventories, local, accept_new, junitxml).failed


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
    result = run_verify(plays, inventories, connection == "local", accept_new, junitxml)
    if report is not None:
        report.write_text(json.dumps(report_document(result), indent=2) + "\n")
    return int(ExitCode.HOST_FAILED if result.failed else ExitCode.OK)
