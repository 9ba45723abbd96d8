"""`LocalConnection`: the same commands, run on the control node itself (`-c local`).

For GPU CI runners that provision themselves: no SSH, a subprocess per command, sudo
when the current user is not root and root is needed.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
from collections.abc import Mapping

from provision.connection.base import CommandResult
from provision.connection.become import BecomeDialog, PasswordSource
from provision.connection.running import run_command, upload_file

LOCAL_HOST_NAME = "localhost"


class _ProcessStream:
    """A local `sh -c` process in its own session (so a timeout stops all it started)."""

    def __init__(self, command_line: str) -> None:
        self._process = subprocess.Popen(
            ["/bin/sh", "-c", command_line],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._selector = selectors.DefaultSelector()
        for pipe in (self._process.stdout, self._process.stderr):
            assert pipe is not None
            os.set_blocking(pipe.fileno(), False)
            self._selector.register(pipe, selectors.EVENT_READ)
        self._open = 2

    def send(self, data: bytes) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(data)
        self._process.stdin.flush()

    def close_input(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()

    def receive(self, wait: float) -> tuple[bytes, bytes]:
        if not self._open:
            # Both pipes closed but the process runs on (`exec >/dev/null; sleep`): wait
            # on the process itself, since `select` on no files would return at once.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=wait)
            return b"", b""
        chunks = {self._process.stdout: b"", self._process.stderr: b""}
        for key, _ in self._selector.select(wait):
            data = os.read(key.fd, 65536)
            if not data:
                self._selector.unregister(key.fileobj)
                self._open -= 1
            chunks[key.fileobj] += data  # type: ignore[index]
        return chunks[self._process.stdout], chunks[self._process.stderr]

    def finished(self) -> bool:
        return self._open == 0 and self._process.poll() is not None

    def exit_code(self) -> int:
        code = self._process.wait()
        self._selector.close()
        return code

    def abort(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        self._selector.close()


class LocalConnection:
    """Runs commands on the control node; `sudo=True` uses sudo unless already root."""

    def __init__(
        self,
        *,
        name: str = LOCAL_HOST_NAME,
        become: bool = True,
        passwords: PasswordSource | None = None,
        is_root: bool | None = None,
    ) -> None:
        self._name = name
        self._become = become
        self._passwords = passwords or PasswordSource()
        self._is_root = os.geteuid() == 0 if is_root is None else is_root

    @property
    def name(self) -> str:
        return self._name

    @property
    def can_become(self) -> bool:
        return self._is_root or self._become

    def open(self) -> None:
        """Nothing to connect: commands run on this machine."""

    def run(
        self,
        command: str,
        *,
        timeout: float | None = None,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        sudo: bool = False,
    ) -> CommandResult:
        become = None
        if sudo and not self._is_root:
            become = BecomeDialog(password=lambda: self._passwords.password(self._name))
        return run_command(
            self._name,
            _ProcessStream,
            command,
            timeout=timeout,
            stdin=stdin,
            env=env,
            become=become,
        )

    def upload(
        self, data: bytes, path: str, *, owner: str | None = None, mode: int = 0o644
    ) -> None:
        upload_file(self._name, self.run, data, path, owner=owner, mode=mode)

    def close(self) -> None:
        """Nothing to release."""
