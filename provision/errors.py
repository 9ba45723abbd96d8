"""Errors that end a command, each carrying the exit code the README documents.

Every error a user can cause is one of these, raised with a one-line message that
names the file, field or host at fault; the CLI prints it without a traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the whole CLI (the README's table)."""

    OK = 0
    HOST_FAILED = 1
    INVALID_INPUT = 2
    CHANGES_PENDING = 3
    INTERNAL_ERROR = 4
    INTERRUPTED = 130


class ProvisionError(Exception):
    """Base of every error that ends a command with a message and an exit code."""

    exit_code: ExitCode = ExitCode.HOST_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(ProvisionError):
    """Invalid user input (playbook, inventory, flags): nothing was contacted."""

    exit_code = ExitCode.INVALID_INPUT


class EnvironmentNotSupportedError(ProvisionError):
    """The control node cannot run this command (not Linux, not root, a tool missing)."""

    exit_code = ExitCode.INVALID_INPUT
