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
    """`-l/--limit PATTERN`: further restrict the hosts, as in Ansible."""
    return click.option(
        "-l", "--limit", default=None, metavar="PATTERN", help="Restrict to hosts matching PATTERN."
    )(function)


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
