"""The `provision` command line: parses arguments, calls the library, prints.

`main` is the console script. It turns every `ProvisionError` into a one-line message
on stderr and the exit code of the README's table, so no user input ever shows a
Python traceback; set PROVISION_DEBUG=1 to see one for an internal error.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

import click

from provision import __version__
from provision.cli.facts import facts_command
from provision.cli.inventory import inventory_command
from provision.cli.lab import lab_group
from provision.cli.playbook import hosts_command, schema_command, validate_command
from provision.errors import ExitCode, ProvisionError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="provision")
def cli() -> None:
    """Provision GPU workstations and fleets declaratively and idempotently."""


cli.add_command(validate_command)
cli.add_command(hosts_command)
cli.add_command(schema_command)
cli.add_command(inventory_command)
cli.add_command(lab_group)
cli.add_command(facts_command)


def _print_error(message: str) -> None:
    click.echo(f"provision: error: {message}", err=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with the code of the README's table."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except ProvisionError as error:
        _print_error(error.message)
        sys.exit(int(error.exit_code))
    except click.exceptions.Abort:
        _print_error("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except click.ClickException as error:
        error.show()
        sys.exit(int(ExitCode.INVALID_INPUT))
    except KeyboardInterrupt:
        _print_error("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as error:
        if os.environ.get("PROVISION_DEBUG"):
            traceback.print_exc()
        _print_error(
            f"internal error: {type(error).__name__}: {error} "
            "(a bug in provision; rerun with PROVISION_DEBUG=1 for the traceback)"
        )
        sys.exit(int(ExitCode.INTERNAL_ERROR))
    sys.exit(int(result) if isinstance(result, int) else int(ExitCode.OK))
