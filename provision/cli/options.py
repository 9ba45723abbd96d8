"""Options shared by the commands that read a playbook and an inventory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

Command = TypeVar("Command", bound=Callable[..., Any])


def inventory_option(function: Command) -> Command:
    """`-i/--inventory`, repeatable: inventory files or folders."""
    return click.option(
        "-i",
        "--inventory",
        "inventories",
        multiple=True,
        required=True,
        type=click.Path(path_type=Path),
        help="Inventory file (INI, YAML, JSON) or folder; repeat to combine.",
    )(function)


def limit_option(function: Command) -> Command:
    """`-l/--limit PATTERN`: further restrict the hosts, as in Ansible (`@FILE`: the hosts
    a retry file lists)."""
    return click.option(
        "-l",
        "--limit",
        default=None,
        metavar="PATTERN",
        callback=_read_limit_file,
        help="Restrict to hosts matching PATTERN, or listed in @FILE (a retry file).",
    )(function)


def _read_limit_file(context: click.Context, parameter: click.Parameter, value: str | None) -> Any:
    """`@FILE` read once, for every command, into the pattern of the hosts it lists."""
    from provision.playbook import limit_pattern  # here: the CLI imports commands lazily

    return limit_pattern(value) if value is not None else value


def extra_vars_option(function: Command) -> Command:
    """`-e/--extra-vars`, repeatable: variables of the highest precedence."""
    return click.option(
        "-e",
        "--extra-vars",
        "extra_vars",
        multiple=True,
        metavar="VARS",
        help="key=value, a YAML mapping, or @file.yaml; overrides inventory and play vars.",
    )(function)


def playbook_argument(function: Command) -> Command:
    """The PLAYBOOK positional argument."""
    return click.argument("playbook", type=click.Path(path_type=Path))(function)
