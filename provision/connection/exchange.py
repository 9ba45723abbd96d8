"""Feeding one running command its stdin and collecting its output, over any transport.

SSH channels and local pipes differ only in how bytes move; the loop here (timeouts,
sudo's password dialog, stdin written only after sudo let us in, on a thread so a large
upload cannot deadlock against a full output pipe) is shared by both connections.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Protocol

from provision.connection.become import BecomeDialog


class Stream(Protocol):
    """A started command seen from the control node."""

    def send(self, data: bytes) -> None:
        """Write all of `data` to the command's stdin (may block)."""

    def close_input(self) -> None:
        """Signal end of stdin."""

    def receive(self, wait: float) -> tuple[bytes, bytes]:
        """New stdout and stderr bytes, waiting up to `wait` seconds for some."""

    def finished(self) -> bool:
        """The command exited and all its output was received."""

    def exit_code(self) -> int:
        """The exit code, once finished."""

    def abort(self) -> None:
        """Stop the command (on timeout or a refused sudo)."""


class ExchangeTimeout(Exception):
    """The command ran past its deadline and was aborted."""


def _write_stdin(stream: Stream, data: bytes | None) -> threading.Thread:
    def write() -> None:
        try:
            if data:
                stream.send(data)
        except OSError:
            return  # the command exited without reading all of it; its result says why
        finally:
            with contextlib.suppress(OSError):
                stream.close_input()

    writer = threading.Thread(target=write, name="provision-stdin", daemon=True)
    writer.start()
    return writer


def exchange(
    stream: Stream,
    *,
    stdin: bytes | None,
    become: BecomeDialog | None,
    timeout: float | None,
) -> tuple[int, bytes, bytes]:
    """Run the exchange to the end: (exit code, stdout, stderr).

    Raises `ExchangeTimeout` past `timeout` and `BecomeRefused` when sudo will not let
    us in; the command is aborted in both cases.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    stdout, stderr = bytearray(), bytearray()
    writer = None if become is not None else _write_stdin(stream, stdin)
    try:
        while not stream.finished():
            if deadline is not None and time.monotonic() > deadline:
                raise ExchangeTimeout()
            out, err = stream.receive(0.02)
            stdout += out
            stderr += err
            if become is not None and not become.done:
                reply, start = become.step(bytes(stdout), bytes(stderr))
                if reply is not None:
                    stream.send(reply)
                if start >= 0:
                    del stdout[:start]
                    writer = _write_stdin(stream, stdin)
    except BaseException:
        stream.abort()
        raise
    if writer is not None:
        writer.join(timeout=5)
    if become is not None:
        stderr = bytearray(become.clean_stderr(bytes(stderr)))
    return stream.exit_code(), bytes(stdout), bytes(stderr)
