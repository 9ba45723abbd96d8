"""`provision facts`: gather and show what hosts really have, in parallel.

Each host's facts take one remote command over one connection. Hosts are gathered by a
bounded pool (`--forks`, default 10); a host that cannot be reached is reported with the
reason while the others still report, and the exit code is then 1; so is a host whose
gathering hit a bug (reason `internal`). Bad input (exit 2) ends the run.

`-c local` gathers as the current user unless it is root or `--become` asks for sudo.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from provision.cli.connections import connect_hosts
from provision.cli.fact_summary import summary_rows
from provision.cli.options import limit_option
from provision.connection import Connection, LocalConnection, terminal_prompt
from provision.connection.become import PasswordSource
from provision.errors import ExitCode, InputError
from provision.facts import FactsRequest
from provision.facts.many import HostReport, gather_many
from provision.inventory import load_inventory
from provision.models.versions import USER_PATTERN

_USER = re.compile(USER_PATTERN)


def _connections(
    inventories: tuple[Path, ...],
    connection: str | None,
    limit: str | None,
    accept_new: bool | None,
    become: bool = False,
) -> list[Connection]:
    if connection == "local":
        if inventories:
            raise InputError("-c local gathers the control node itself: leave out -i")
        passwords = PasswordSource(prompt=terminal_prompt())
        return [LocalConnection(become=become, passwords=passwords)]
    if become:
        raise InputError("--become is for -c local; inventory hosts use ansible_become")
    if not inventories:
        raise InputError("give an inventory with -i INVENTORY, or -c local for this machine")
    inventory = load_inventory(list(inventories))
    names = inventory.select(limit) if limit else inventory.hosts
    if not names:
        raise InputError("the inventory has no hosts")
    return list(connect_hosts(names, inventories, local=False, accept_new=accept_new).values())


def gather_all(
    connections: list[Connection], request: FactsRequest, forks: int
) -> list[HostReport]:
    """Facts of every host, gathered by at most `forks` threads, in the given order;
    each connection is closed once its facts are in (see `gather_many`)."""
    return gather_many(connections, request, forks, close=True)


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
    "--become", is_flag=True,
    help="With -c local, when not root: gather as root through sudo (default: as the user).",
)  # fmt: skip
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
    become: bool,
    users: tuple[str, ...],
    conda_prefix: str,
    libtorch_path: str,
    files: tuple[str, ...],
) -> int:
    """Gather facts (OS, nouveau, driver, GPUs, CUDA, cuDNN, shell, conda, libtorch, apt)
    from hosts, one remote command each."""
    request = _request(users or ("root",), conda_prefix, libtorch_path, files)
    connections = _connections(inventories, connection, limit, accept_new, become)
    reports = gather_all(connections, request, forks)
    _report(reports, as_json, lambda text: click.echo(text, file=sys.stdout))
    failed = any(report.failed for report in reports)
    return int(ExitCode.HOST_FAILED if failed else ExitCode.OK)
