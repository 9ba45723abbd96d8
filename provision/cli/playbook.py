"""`provision validate`, `provision hosts` and `provision schema`: playbooks without hosts.

None of these contacts a host: they load the inventory and the playbook, render each
host's desired state and check it, so a bad playbook fails before anything is touched.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import click
import yaml

from provision.cli.options import (
    extra_vars_option,
    inventory_option,
    limit_option,
    playbook_argument,
)
from provision.control_characters import escaped
from provision.credentials import redact_data
from provision.inventory import load_inventory
from provision.playbook import (
    PlayTargets,
    load_playbook,
    parse_extra_vars,
    playbook_json_schema,
    resolve_playbook,
    state_fields,
)


def resolve(
    playbook_path: Path,
    inventories: Sequence[Path],
    limit: str | None,
    extra_vars: Sequence[str],
) -> list[PlayTargets]:
    """Load inventory and playbook and render every targeted host's state."""
    inventory = load_inventory(list(inventories))
    playbook = load_playbook(playbook_path)
    return resolve_playbook(playbook, inventory, limit, parse_extra_vars(extra_vars))


def print_warnings(plays: Sequence[PlayTargets]) -> None:
    """Print each compatibility warning once, with the hosts it concerns, on stderr."""
    hosts_by_warning: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    for targets in plays:
        for host in targets.hosts:
            for warning in host.warnings:
                key = (targets.number, state_fields(warning), warning.message)
                hosts_by_warning[key].append(host.name)
    for (number, fields, message), hosts in hosts_by_warning.items():
        line = f"provision: warning: play {number}, hosts {','.join(hosts)}: {fields}: {message}"
        click.echo(escaped(line), err=True)


@click.command("validate")
@playbook_argument
@inventory_option
@limit_option
@extra_vars_option
def validate_command(
    playbook: Path, inventories: tuple[Path, ...], limit: str | None, extra_vars: tuple[str, ...]
) -> None:
    """Check PLAYBOOK against INVENTORY without contacting any host.

    Renders every targeted host's desired state, validates it and checks the
    driver/CUDA/cuDNN/PyTorch combination; exits 2 on the first error.
    """
    plays = resolve(playbook, inventories, limit, extra_vars)
    print_warnings(plays)
    host_count = len({host.name for targets in plays for host in targets.hosts})
    play_word = "play" if len(plays) == 1 else "plays"
    host_word = "host" if host_count == 1 else "hosts"
    click.echo(escaped(f"{playbook}: valid ({len(plays)} {play_word}, {host_count} {host_word})"))


@click.command("hosts")
@playbook_argument
@inventory_option
@limit_option
@extra_vars_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
def hosts_command(
    playbook: Path,
    inventories: tuple[Path, ...],
    limit: str | None,
    extra_vars: tuple[str, ...],
    as_json: bool,
) -> None:
    """Show the hosts each play of PLAYBOOK targets, with their rendered desired state."""
    plays = resolve(playbook, inventories, limit, extra_vars)
    print_warnings(plays)
    document = {
        "plays": [
            {
                "number": targets.number,
                "name": targets.play.title(),
                "pattern": targets.play.hosts,
                "hosts": {
                    host.name: redact_data(host.state.model_dump(mode="json"))
                    for host in targets.hosts
                },
            }
            for targets in plays
        ]
    }
    if as_json:
        click.echo(json.dumps(document, indent=2))
        return
    for targets in plays:
        count = len(targets.hosts)
        title = f"play {targets.number} '{targets.play.title()}' (hosts: {targets.play.hosts}): "
        click.echo(escaped(title) + f"{count} host{'s' if count != 1 else ''}")
        for host in targets.hosts:
            click.echo(f"  {host.name}:")
            state = redact_data(host.state.model_dump(mode="json"))
            rendered = yaml.safe_dump(state, sort_keys=False, default_flow_style=False)
            click.echo("".join(f"    {line}\n" for line in rendered.splitlines()), nl=False)


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of playbooks, for editors to complete and check them."""
    click.echo(json.dumps(playbook_json_schema(), indent=2))
