"""The `provision` command line: parses arguments, calls the library, prints.

`main` is the console script. It turns every `ProvisionError` into a one-line message
on stderr and the exit code of the README's table, so no user input ever shows a
Python traceback; set PROVISION_DEBUG=1 to see one for an internal error.

Subcommands are imported only when they run: `provision --version` or `provision validate`
never pay for Fabric, paramiko or rich. Other distributions add subcommands through the
`provision.commands` entry points (the sandbox lab's `provision lab`, from provision-lab).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import entry_points

import click

from provision import __version__
from provision.control_characters import escaped
from provision.credentials import redact
from provision.errors import EnvironmentNotSupportedError, ExitCode, ProvisionError

# Command name -> "module:attribute" of its click command.
COMMANDS = {
    "validate": "provision.cli.playbook:validate_command",
    "hosts": "provision.cli.playbook:hosts_command",
    "schema": "provision.cli.playbook:schema_command",
    "inventory": "provision.cli.inventory:inventory_command",
    "facts": "provision.cli.facts:facts_command",
    "plan": "provision.cli.apply:plan_command",
    "apply": "provision.cli.apply:apply_command",
    "verify": "provision.cli.verify:verify_command",
}
PLUGIN_GROUP = "provision.commands"
# Commands that another distribution provides, and how to get it when it is missing.
PLUGIN_HINTS = {
    "lab": (
        "the sandbox lab is not installed: it is the provision-lab distribution in provision's "
        "repository (pip install ./lab, or bash scripts/setup-machine)"
    ),
}


def plugin_commands() -> dict[str, str]:
    """Command name -> "module:attribute" of the subcommands installed distributions add."""
    return {point.name: point.value for point in entry_points(group=PLUGIN_GROUP)}


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
def _missing_plugin(ctx: click.Context) -> None:
    """Stands in for a command whose distribution is not installed."""
    raise EnvironmentNotSupportedError(PLUGIN_HINTS[ctx.info_name or ""])


class LazyCommandGroup(click.Group):
    """A click group whose subcommands are imported by name, on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *plugin_commands(), *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        target = COMMANDS.get(cmd_name) or plugin_commands().get(cmd_name)
        if target is None:
            return _missing_plugin if cmd_name in PLUGIN_HINTS else None
        module_name, attribute = target.split(":")
        try:
            command: click.Command = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as error:
            if cmd_name in COMMANDS:
                raise
            raise EnvironmentNotSupportedError(
                f"the command {cmd_name!r} is installed as {target} but cannot be loaded: {error}"
            ) from error
        self.add_command(command, cmd_name)
        return command


@click.group(cls=LazyCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="provision")
def cli() -> None:
    """Provision GPU workstations and fleets declaratively and idempotently."""


def command(name: str) -> click.Command:
    """The subcommand `name` of the CLI (imported if it was not yet)."""
    with click.Context(cli) as context:
        found = cli.get_command(context, name)
    if found is None:
        raise KeyError(name)
    return found


_NO_ARGUMENTS: type[click.ClickException] | None = getattr(
    click.exceptions, "NoArgsIsHelpError", None
)


def _print_error(message: str) -> None:
    """One line, whatever the message quotes: control characters from input are escaped."""
    click.echo(f"provision: error: {escaped(redact(message))}", err=True)


def _usage_message(error: click.ClickException) -> str:
    """click's error as one line (`UsageError: ...`), with the help hint click would print
    on lines of their own."""
    message = error.format_message()
    if _NO_ARGUMENTS is not None and isinstance(error, _NO_ARGUMENTS):
        message = "no command given"  # click's message is the whole help text
    if not isinstance(error, click.UsageError):
        return message
    context = error.ctx
    hint = f" (see '{context.command_path} --help')" if context is not None else ""
    return f"UsageError: {message}{hint}"


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with the code of the README's table."""
    # Before building its first model, pydantic reads the entry points of every installed
    # distribution to find plugins; the CLI uses none. A user's own setting is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        arguments = list(argv) if argv is not None else None
        result = cli.main(args=arguments, prog_name="provision", standalone_mode=False)
    except ProvisionError as error:
        _print_error(error.message)
        sys.exit(int(error.exit_code))
    except click.exceptions.Abort:
        _print_error("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except click.ClickException as error:
        _print_error(_usage_message(error))
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
