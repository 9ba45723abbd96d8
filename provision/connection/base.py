"""The interface every connection offers: run a command, upload a file, close.

Code written against `Connection` runs the same over SSH and on the control node, and a
recording test double fits in where no host is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class CommandResult:
    """What a command left behind: its exit code, raw output bytes and wall time."""

    exit_code: int
    stdout: bytes
    stderr: bytes
    duration_s: float

    @property
    def ok(self) -> bool:
        """Whether the command exited 0."""
        return self.exit_code == 0

    def stderr_text(self, limit: int = 500) -> str:
        """The end of stderr as one line of text, for error messages."""
        text = self.stderr.decode("utf-8", "replace").strip().replace("\n", " | ")
        return text[-limit:] if text else f"exit code {self.exit_code}"


@runtime_checkable
class Connection(Protocol):
    """A connection to one host, reused for every command of a run."""

    @property
    def name(self) -> str:
        """The host's inventory name (`localhost` for the control node)."""
        ...

    @property
    def can_become(self) -> bool:
        """Whether `sudo=True` commands can run as root (the user is root, or become is on)."""
        ...

    def open(self) -> None:
        """Connect now, rather than on the first command (raises `HostUnreachable`)."""
        ...

    def run(
        self,
        command: str,
        *,
        timeout: float | None = None,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        sudo: bool = False,
    ) -> CommandResult:
        """Run one shell command line (build it with `provision.shell`).

        `sudo` runs it as root: directly when the user is root, through sudo otherwise.
        A non-zero exit is a result, not an error; an unreachable host raises
        `HostUnreachable`, a timeout `CommandTimeout`, a refused sudo `BecomeError`.
        """
        ...

    def upload(
        self, data: bytes, path: str, *, owner: str | None = None, mode: int = 0o644
    ) -> None:
        """Write `data` to absolute `path` atomically (temp file beside it, then rename).

        `owner` (`user` or `user:group`) is set on the new file; without it an existing
        file's owner is kept. Runs as root (sudo when the user is not root).
        """
        ...

    def close(self) -> None:
        """Release the connection; safe to call twice."""
        ...
