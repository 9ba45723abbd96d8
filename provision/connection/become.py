"""Becoming root with sudo in the same round trip as the command, as Ansible does.

The command runs as `sudo -S -p PROMPT -- sh -c 'printf MARKER; COMMAND'` with a random
key in both PROMPT and MARKER. When sudo asks (PROMPT appears on stderr), the password
is sent as one line on stdin; once MARKER appears on stdout, sudo has let us in and the
command's own stdin may follow. So a sudo that needs no password (NOPASSWD, or cached
credentials) never sees it, the password never reaches the command's stdin, and it is
never part of a command line, a log record or an error message.

Where the password comes from, first found wins: the `PROVISION_BECOME_PASSWORD`
environment variable, the inventory's `ansible_become_password` (or `ansible_become_pass`),
the file named by the inventory's `provision_become_password_file` (first line; refused
when group or others may read it, as OpenSSH refuses such a key), or a prompt on the
control node's terminal, asked once per run.
"""

from __future__ import annotations

import getpass
import os
import secrets
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from provision import shell
from provision.errors import InputError

PASSWORD_ENVIRONMENT_VARIABLE = "PROVISION_BECOME_PASSWORD"


class BecomeRefused(Exception):
    """sudo asked for a password it cannot get, or rejected the one given."""


class PasswordSource:
    """Finds the become password once, when sudo first asks for it, then remembers it.

    Thread-safe: hosts gathered in parallel share one source and one terminal prompt.
    """

    def __init__(
        self,
        *,
        password_file: Path | None = None,
        prompt: Callable[[str], str] | None = None,
        environ: dict[str, str] | None = None,
        password: str | None = None,
    ) -> None:
        self._given = password
        self._password_file = password_file
        self._prompt = prompt
        self._environ = os.environ if environ is None else environ
        self._lock = threading.Lock()
        self._password: str | None = None
        self._looked = False

    def __repr__(self) -> str:
        return f"PasswordSource(password_file={self._password_file!r})"

    def password(self, host: str) -> str | None:
        """The password, or None when no source has one."""
        with self._lock:
            if not self._looked:
                self._password = self._find(host)
                self._looked = True
            return self._password

    def _find(self, host: str) -> str | None:
        from_environment = self._environ.get(PASSWORD_ENVIRONMENT_VARIABLE)
        if from_environment:
            return from_environment
        if self._given:
            return self._given
        if self._password_file is not None:
            try:
                return read_password_file(self._password_file)
            except InputError as error:
                raise InputError(f"host '{host}': {error.message}") from None
        if self._prompt is not None:
            return self._prompt(f"sudo password for {host}: ") or None
        return None


_PASSWORD_FILE_LIMIT = 65536
"""Characters of a password file read: the first line is the password."""


def read_password_file(path: Path) -> str:
    """The first line of a password file; a missing or empty file, or one that group or
    others may access (mode & 0o077), is an input error."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO: no wait
        with os.fdopen(descriptor, encoding="utf-8") as file:
            status = os.fstat(file.fileno())
            regular = stat.S_ISREG(status.st_mode)
            mode = stat.S_IMODE(status.st_mode)
            first_line = file.read(_PASSWORD_FILE_LIMIT).splitlines()[:1] if regular else []
    except (OSError, UnicodeDecodeError) as error:
        problem = getattr(error, "strerror", None) or "not UTF-8 text"
        raise InputError(f"provision_become_password_file {path}: cannot read: {problem}") from None
    if not regular:
        raise InputError(f"provision_become_password_file {path}: not a regular file")
    if mode & 0o077:
        raise InputError(
            f"provision_become_password_file {path}: mode {mode:04o} lets group or others "
            "access the password; chmod 600 it"
        )
    if not first_line or not first_line[0]:
        raise InputError(f"provision_become_password_file {path}: the file is empty")
    return first_line[0]


def terminal_prompt() -> Callable[[str], str] | None:
    """`getpass` when a terminal is attached to stdin, else None (never block a pipeline)."""
    return getpass.getpass if sys.stdin.isatty() else None


@dataclass
class BecomeDialog:
    """Drives sudo's password exchange on one command's output as it arrives."""

    password: Callable[[], str | None]
    key: str = field(default_factory=lambda: secrets.token_hex(8))
    done: bool = False
    _answered: int = 0

    @property
    def prompt(self) -> str:
        return f"[provision sudo {self.key}] password:"

    @property
    def marker(self) -> bytes:
        return f"PROVISION-BECOME-OK-{self.key}\n".encode()

    def wrap(self, command_line: str) -> str:
        """`command_line` under sudo, printing the marker first once sudo let it in."""
        announce = shell.command("printf", "%s\\n", self.marker.decode().strip())
        return shell.sudo(f"{announce}; {command_line}", prompt=self.prompt)

    def step(self, stdout: bytes, stderr: bytes) -> tuple[bytes | None, int]:
        """Look at the output so far: the bytes to send sudo (or None), and where the
        command's own stdout starts once the marker was seen (else -1)."""
        asked = stderr.count(self.prompt.encode())
        reply = None
        if asked > self._answered:
            if self._answered:
                raise BecomeRefused("sudo rejected the become password")
            secret = self.password()
            if secret is None:
                raise BecomeRefused(
                    f"sudo asks for a password: set {PASSWORD_ENVIRONMENT_VARIABLE}, name a file "
                    "in the inventory's provision_become_password_file, or run from a terminal"
                )
            self._answered += 1
            reply = secret.encode() + b"\n"
        start = stdout.find(self.marker)
        if start >= 0:
            self.done = True
            return reply, start + len(self.marker)
        return reply, -1

    def clean_stderr(self, stderr: bytes) -> bytes:
        """stderr without sudo's prompts."""
        return stderr.replace(self.prompt.encode(), b"")


def ask_once(prompt: Callable[[str], str]) -> Callable[[str], str]:
    """A prompt that asks the first time only and gives every later host the same answer."""
    lock = threading.Lock()
    answers: list[str] = []

    def ask(question: str) -> str:
        with lock:
            if not answers:
                answers.append(prompt(question))
            return answers[0]

    return ask
