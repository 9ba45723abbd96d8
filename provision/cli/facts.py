"""`provision facts`: gather and show what hosts really have, in parallel.

Each host's facts take one remote command over one connection. Hosts are gathered by a
bounded pool (`--forks`, default 10); a host that cannot be reached is reported with the
reason while the others still report, and the exit code is then 1.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from provision.cli.options import limit_option
from provision.connection import (
    Connection,
    HostUnreachable,
    LocalConnection,
    ask_once,
    open_connection,
    terminal_prompt,
)
from provision.connection.become import PasswordSource
from provision.errors import ExitCode, InputError, ProvisionError
from provision.facts import Facts, FactsRequest, gather_facts
from provision.facts.summary import summary_rows
from provision.inventory import load_inventory

_USER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")


@dataclass(frozen=True)
class HostReport:
    """One host's outcome: its facts, or why there are none."""

    name: str
    facts: Facts | None
    error: str | None
    reason: str | None
    duration_s: float

    def document(self) -> dict[str, Any]:
        """The host's entry in `--json`."""
        if self.facts is not None:
            return json.loads(self.facts.model_dump_json())  # type: ignore[no-any-return]
        return {"failed": True, "reason": self.reason, "message": self.error}


def _connections(
    inventories: tuple[Path, ...],
    connection: str | None,
    limit: str | None,
    accept_new: bool | None,
) -> list[Connection]:
    if connection == "local":
        if inventories:
            raise InputError("-c local gathers the control node itself: leave out -i")
        return [LocalConnection(passwords=PasswordSource(prompt=terminal_prompt()))]
    if not inventories:
        raise InputError("give an inventory with -i INVENTORY, or -c local for this machine")
    inventory = load_inventory(list(inventories))
    names = inventory.select(limit) if limit else inventory.hosts
    if not names:
        raise InputError("the inventory has no hosts")
    prompt = terminal_prompt()
    shared_prompt = ask_once(prompt) if prompt is not None else None
    return [
        open_connection(
            inventory.connection(name),
            inventory.host_vars(name),
            accept_new_host_keys=accept_new,
            prompt=shared_prompt,
        )
        for name in names
    ]


def _gather(connection: Connection, request: FactsRequest) -> HostReport:
    started = time.monotonic()
    try:
        facts = gather_facts(connection, request)
        return HostReport(connection.name, facts, None, None, time.monotonic() - started)
    except HostUnreachable as error:
        return HostReport(connection.name, None, error.message, str(error.reason), 0.0)
    except ProvisionError as error:
        return HostReport(connection.name, None, error.message, "failed", 0.0)
    finally:
        connection.close()


def gather_all(
    connections: list[Connection], request: FactsRequest, forks: int
) -> list[HostReport]:
    """Facts of every host, gathered by at most `forks` threads, in the given order."""
    with ThreadPoolExecutor(max_workers=max(1, min(forks, len(connections)))) as pool:
        return list(pool.map(lambda connection: _gather(connection, request), connections))


def _print_table(console: Console, report: HostReport) -> None:
    assert report.facts is not None
    table = Table(
        title=f"{report.name} ({report.duration_s * 1000:.0f} ms)",
        show_header=False,
        title_justify="left",
    )
    table.add_column("topic", style="bold")
    table.add_column("value", overflow="fold")
    for topic, value in summary_rows(report.facts):
        table.add_row(topic, value)
    console.print(table)


def _request(
    users: tuple[str, ...], conda_prefix: str, libtorch_path: str, files: tuple[str, ...]
) -> FactsRequest:
    for user in users:
        if not _USER.fullmatch(user):
            raise InputError(f"--shell-user: {user!r} is not a valid user name")
    paths = [("--conda-prefix", conda_prefix), ("--libtorch-path", libtorch_path)]
    for option, path in [*paths, *(("--file", file) for file in files)]:
        if not path.startswith("/") or "\n" in path or "\0" in path:
            raise InputError(f"{option}: {path!r} is not an absolute path")
    return FactsRequest(
        users=users, conda_prefix=conda_prefix, libtorch_path=libtorch_path, files=files
    )


def _report(reports: list[HostReport], as_json: bool, echo: Callable[[str], None]) -> None:
    if as_json:
        echo(json.dumps({report.name: report.document() for report in reports}, indent=2))
    else:
        console = Console(soft_wrap=False)
        for report in reports:
            if report.facts is not None:
                _print_table(console, report)
    for report in reports:
        if report.error is not None:
            click.echo(f"provision: {report.error}", err=True)


@click.command("facts")
@click.option(
    "-i", "--inventory", "inventories", multiple=True, type=click.Path(path_type=Path),
    help="Inventory file or folder; repeat to combine.",
)  # fmt: skip
@click.option(
    "-c", "--connection", type=click.Choice(["local"]), default=None,
    help="local: gather the control node itself (named localhost), without -i.",
)  # fmt: skip
@limit_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object keyed by host name.")
@click.option(
    "-f", "--forks", type=click.IntRange(1, 1000), default=10, show_default=True,
    help="Hosts gathered at the same time.",
)  # fmt: skip
@click.option(
    "--accept-new-host-keys/--strict-host-keys",
    "accept_new",
    default=None,
    help="Trust and record the key of a host not yet in known_hosts (OpenSSH's accept-new); "
    "a changed key is always refused. Default: the inventory's provision_host_key_checking.",
)
@click.option(
    "--shell-user", "users", multiple=True, metavar="USER",
    help="User whose ~/.bashrc block to read (repeatable). Default: root.",
)  # fmt: skip
@click.option("--conda-prefix", default="/opt/conda", show_default=True)
@click.option("--libtorch-path", default="/opt/libtorch", show_default=True)
@click.option(
    "--file", "files", multiple=True, metavar="PATH",
    help="Also report this file's owner, mode, sha256 and content (repeatable).",
)  # fmt: skip
def facts_command(
    inventories: tuple[Path, ...],
    connection: str | None,
    limit: str | None,
    as_json: bool,
    forks: int,
    accept_new: bool | None,
    users: tuple[str, ...],
    conda_prefix: str,
    libtorch_path: str,
    files: tuple[str, ...],
) -> int:
    """Gather facts (OS, nouveau, driver, GPUs, CUDA, cuDNN, shell, conda, libtorch, apt)
    from hosts, one remote command each."""
    request = _request(users or ("root",), conda_prefix, libtorch_path, files)
    connections = _connections(inventories, connection, limit, accept_new)
    reports = gather_all(connections, request, forks)
    _report(reports, as_json, lambda text: click.echo(text, file=sys.stdout))
    failed = any(report.error is not None for report in reports)
    return int(ExitCode.HOST_FAILED if failed else ExitCode.OK)
