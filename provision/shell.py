"""The one place that turns values into shell command strings.

Every value that reaches a remote or local shell goes through `quote` (directly or via
`command`), so a path, user name or version read from a playbook or inventory can never
be taken for shell syntax, whatever it holds (`; rm -rf /`, `$(id)`, backticks, quotes,
newlines). A NUL byte cannot be passed in a shell argument at all, so it is rejected
rather than silently truncated.

Example::

    >>> command("ls", "-l", "/tmp/a b")
    "ls -l '/tmp/a b'"
    >>> with_env("make", {"CUDA_HOME": "/usr/local/cuda-12.1"})
    'env CUDA_HOME=/usr/local/cuda-12.1 sh -c make'
    >>> sudo("id -u")
    "sudo -S -p '' -- sh -c 'id -u'"
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

_ENVIRONMENT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class UnsafeShellValueError(ValueError):
    """A value cannot be passed to a shell safely (it holds a NUL byte, or a bad name)."""


def quote(value: str) -> str:
    """Quote one value as a single shell word; reject a NUL byte, which no shell can pass."""
    if not isinstance(value, str):
        raise UnsafeShellValueError(f"shell arguments must be strings, got {type(value).__name__}")
    if "\0" in value:
        raise UnsafeShellValueError(f"shell argument {value!r} contains a NUL byte")
    return shlex.quote(value)


def command(*arguments: str) -> str:
    """Join arguments into a command line, each one quoted as a single word.

    Use this for every command that contains a value; the program name is quoted too,
    which is harmless for plain names (`command("apt-get", "install", name)`).
    """
    if not arguments:
        raise UnsafeShellValueError("a command needs at least a program name")
    return " ".join(quote(argument) for argument in arguments)


def make_private_folder(path: str) -> str:
    """`mkdir -p PATH` with mode 0700 (for provision's own working folders), run only
    when the folder is missing (no fork when it exists)."""
    folder = quote(path)
    return f"{{ [ -d {folder} ] || (umask 077 && mkdir -p {folder}); }}"


def remove_file(path: str) -> str:
    """`rm -f PATH`, run only when something is there (no fork when nothing is)."""
    target = quote(path)
    return f"{{ [ ! -e {target} ] || rm -f {target}; }}"


def environment_assignments(environment: Mapping[str, str]) -> list[str]:
    """`NAME=value` words for `env`, with names checked (a name is never quoted, so it
    must be a plain identifier) and values left for `quote` to protect."""
    words = []
    for name, value in environment.items():
        if not _ENVIRONMENT_NAME.fullmatch(name):
            raise UnsafeShellValueError(f"invalid environment variable name {name!r}")
        words.append(f"{name}={value}")
    return words


def with_env(command_line: str, environment: Mapping[str, str] | None) -> str:
    """Run `command_line` (already a shell command) with extra environment variables.

    Uses `env NAME=value sh -c COMMAND` rather than a `NAME=value` prefix so that the
    variables survive a later `sudo` wrapping and apply to every part of a compound
    command line; with no variables the command line is returned unchanged.
    """
    if not environment:
        return command_line
    return command("env", *environment_assignments(environment), "sh", "-c", command_line)


def sudo(command_line: str, *, prompt: str = "") -> str:
    """Wrap `command_line` to run as root through sudo, the password (if sudo asks for
    one) read from standard input.

    `-S` makes sudo read the password from standard input and write `prompt` to
    standard error, so a caller can tell whether sudo is asking (a distinctive prompt
    such as `[provision sudo 3f2a] password:`) and send the password only then; with the
    default empty prompt nothing is printed.
    """
    return command("sudo", "-S", "-p", prompt, "--", "sh", "-c", command_line)
