"""The part of `run` and `upload` shared by every connection: env, sudo, errors."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from provision import shell
from provision.connection.base import CommandResult
from provision.connection.become import BecomeDialog, BecomeRefused
from provision.connection.errors import BecomeError, CommandTimeout, UploadError
from provision.connection.exchange import ExchangeTimeout, Stream, exchange
from provision.connection.upload import upload_script

StartCommand = Callable[[str], Stream]


def run_command(
    host: str,
    start: StartCommand,
    command: str,
    *,
    timeout: float | None,
    stdin: bytes | None,
    env: Mapping[str, str] | None,
    become: BecomeDialog | None,
) -> CommandResult:
    """Start `command` (with `env`, under sudo when `become` is given) and see it through."""
    line = shell.with_env(command, env)
    if become is not None:
        line = become.wrap(line)
    began = time.monotonic()
    try:
        exit_code, stdout, stderr = exchange(
            start(line), stdin=stdin, become=become, timeout=timeout
        )
    except ExchangeTimeout:
        raise CommandTimeout(host, timeout or 0.0, _summary(command)) from None
    except BecomeRefused as refusal:
        raise BecomeError(host, str(refusal)) from None
    duration = time.monotonic() - began
    if become is not None and not become.done:
        detail = stderr.decode("utf-8", "replace").strip().replace("\n", " | ")
        raise BecomeError(host, detail or f"sudo exited with code {exit_code}")
    return CommandResult(exit_code, stdout, stderr, duration)


def upload_file(
    host: str,
    run: Callable[..., CommandResult],
    data: bytes,
    path: str,
    *,
    owner: str | None,
    mode: int,
) -> None:
    """Write `data` to `path` through `run` (one command, as root), or raise UploadError."""
    try:
        script = upload_script(path, owner=owner, mode=mode)
    except ValueError as error:
        raise UploadError(host, path, str(error)) from None
    result = run(script, stdin=data, sudo=True, timeout=300.0)
    if not result.ok:
        raise UploadError(host, path, result.stderr_text())


def _summary(command: str, limit: int = 120) -> str:
    first_line = command.strip().splitlines()[0] if command.strip() else command
    return first_line if len(first_line) <= limit else first_line[: limit - 3] + "..."
