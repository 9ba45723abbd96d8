"""Carrying out one action of a plan over a connection: a command, a file, a managed block.

Each function raises `ActionFailed` with the host's own words (exit status, end of stderr)
when the action did not succeed; connection errors (`HostUnreachable`, `CommandTimeout`)
pass through for the runner to report.
"""

from __future__ import annotations

from provision import shell
from provision.connection import Connection
from provision.errors import ProvisionError
from provision.plan import BlockEdit, Command, FileWrite
from provision.profile_block import UnterminatedBlockError, apply_block

_MISSING = 44


class ActionFailed(ProvisionError):
    """An action of a change ran but did not succeed."""


def run_command(connection: Connection, command: Command) -> None:
    """Run `command` (as root when it says so); fail unless its exit status is expected."""
    result = connection.run(command.command, timeout=command.timeout_s, sudo=command.root)
    if result.exit_code not in command.expect_exit:
        raise ActionFailed(
            f"`{_short(command.command)}` exited {result.exit_code}: {result.stderr_text()}"
        )


def _owner(owner: str, group: str | None) -> str:
    return f"{owner}:{group}" if group else owner


def write_file(connection: Connection, write: FileWrite) -> None:
    """Write the whole file atomically with the planned owner and mode."""
    connection.upload(
        write.content, write.path, owner=_owner(write.owner, write.group), mode=write.mode
    )


def edit_block(connection: Connection, edit: BlockEdit) -> None:
    """Put the managed block into the file, keeping every other byte and, for an existing
    file, its owner and mode (read in the same command as the content)."""
    path = shell.quote(edit.path)
    result = connection.run(
        f"if [ -e {path} ]; then stat -c %a {path} && cat {path}; else exit {_MISSING}; fi",
        timeout=60,
        sudo=True,
    )
    if result.exit_code == _MISSING:
        content = apply_block(None, edit.block)
        connection.upload(content, edit.path, owner=_owner(edit.owner, edit.group), mode=edit.mode)
        return
    if not result.ok:
        raise ActionFailed(f"cannot read {edit.path}: {result.stderr_text()}")
    mode_line, _, current = result.stdout.partition(b"\n")
    if not mode_line.strip().isdigit():
        raise ActionFailed(f"cannot read the mode of {edit.path}: {mode_line[:40]!r}")
    try:
        content = apply_block(current, edit.block)
    except UnterminatedBlockError as error:
        raise ActionFailed(f"{edit.path}: {error}") from None
    connection.upload(content, edit.path, owner=None, mode=int(mode_line.strip(), 8))


def _short(command: str, limit: int = 160) -> str:
    return command if len(command) <= limit else command[: limit - 3] + "..."
