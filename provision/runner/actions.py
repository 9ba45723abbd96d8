"""Carrying out one action of a plan over a connection: a command, a file, a managed block.

Each function raises `ActionFailed` with the host's own words (exit status, end of stderr)
when the action did not succeed; connection errors (`HostUnreachable`, `CommandTimeout`)
pass through for the runner to report.
"""

from __future__ import annotations

from provision.connection import Connection
from provision.connection.upload import MISSING_EXIT, read_script
from provision.errors import ProvisionError
from provision.plan import BlockEdit, Command, FileWrite
from provision.profile_block import UnterminatedBlockError, apply_block
from provision.tasks.nvidia_keyring import FINGERPRINTS_FUNCTION
from provision.trusted_paths import FUNCTIONS as PATH_GUARDS


class ActionFailed(ProvisionError):
    """An action of a change ran but did not succeed."""


FUNCTION_LIBRARIES = {"path-guards": PATH_GUARDS, "key-fingerprints": FINGERPRINTS_FUNCTION}


def command_line(command: Command) -> str:
    """The line a planned command runs: its function libraries, then the command."""
    return "".join(FUNCTION_LIBRARIES[name] for name in command.functions) + command.command


def run_command(connection: Connection, command: Command) -> None:
    """Run `command` (as root when it says so); fail unless its exit status is expected."""
    result = connection.run(command_line(command), timeout=command.timeout_s, sudo=command.root)
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
    file, its mode (read in the same command as the content). The file is read and written
    as its owner when it sits in the owner's folder (`provision.connection.upload`), so a
    user's link can never show root's files to the user or redirect root's write."""
    result = connection.run(read_script(edit.path, owner=edit.owner), timeout=60, sudo=True)
    if result.exit_code == MISSING_EXIT:
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
    connection.upload(content, edit.path, owner=edit.owner, mode=int(mode_line.strip(), 8))


def _short(command: str, limit: int = 160) -> str:
    return command if len(command) <= limit else command[: limit - 3] + "..."
