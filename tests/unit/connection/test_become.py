"""Becoming root: sudo's password goes to sudo only, never to the command, a log or an
error. A stand-in `sudo` (first on PATH) plays sudo's `-S -p PROMPT` protocol here; the
lab tests run the real sudo."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from provision.connection import (
    PASSWORD_ENVIRONMENT_VARIABLE,
    BecomeError,
    LocalConnection,
    ask_once,
)
from provision.connection.become import BecomeDialog, PasswordSource
from provision.errors import InputError

SECRET = "s3cret-'$(id)-\u00e9"

FAKE_SUDO = r"""#!/bin/sh
# Stand-in for sudo -S -p PROMPT -- sh -c COMMAND (test only).
[ "$1" = -S ] && [ "$2" = -p ] || { echo "fake sudo: bad usage $*" >&2; exit 64; }
prompt=$3; shift 4
if [ -n "$FAKE_SUDO_PASSWORD" ]; then
  tries=0
  while :; do
    printf '%s' "$prompt" >&2
    IFS= read -r given || { echo "sudo: no password was provided" >&2; exit 1; }
    [ "$given" = "$FAKE_SUDO_PASSWORD" ] && break
    tries=$((tries + 1))
    echo "Sorry, try again." >&2
    [ $tries -ge 3 ] && { echo "sudo: 3 incorrect password attempts" >&2; exit 1; }
  done
fi
exec "$@"
"""


@pytest.fixture
def fake_sudo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    sudo = folder / "sudo"
    sudo.write_text(FAKE_SUDO)
    sudo.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    monkeypatch.delenv(PASSWORD_ENVIRONMENT_VARIABLE, raising=False)


def non_root(passwords: PasswordSource | None = None) -> LocalConnection:
    return LocalConnection(name="box", passwords=passwords, is_root=False)


@pytest.mark.usefixtures("fake_sudo")
def test_the_password_reaches_sudo_and_not_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_SUDO_PASSWORD", SECRET)
    monkeypatch.setenv(PASSWORD_ENVIRONMENT_VARIABLE, SECRET)
    result = non_root().run("cat; echo done", stdin=b"payload\n", sudo=True)
    assert result.ok, result.stderr
    assert result.stdout == b"payload\ndone\n"
    assert SECRET.encode() not in result.stdout + result.stderr
    assert b"password:" not in result.stderr


@pytest.mark.usefixtures("fake_sudo")
def test_without_a_prompt_no_password_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENVIRONMENT_VARIABLE, SECRET)
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return SECRET

    source = PasswordSource(prompt=prompt)
    monkeypatch.delenv(PASSWORD_ENVIRONMENT_VARIABLE)
    result = non_root(source).run("cat", stdin=b"only this", sudo=True)
    assert result.stdout == b"only this"
    assert asked == []


@pytest.mark.usefixtures("fake_sudo")
def test_a_wrong_password_is_a_become_error_that_never_shows_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("FAKE_SUDO_PASSWORD", "the-right-one")
    monkeypatch.setenv(PASSWORD_ENVIRONMENT_VARIABLE, SECRET)
    with pytest.raises(BecomeError) as raised:
        non_root().run("true", sudo=True)
    message = str(raised.value)
    assert "host 'box'" in message and "rejected" in message
    assert SECRET not in message and SECRET not in repr(raised.value)
    assert SECRET not in caplog.text


@pytest.mark.usefixtures("fake_sudo")
def test_no_password_anywhere_says_where_to_put_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_SUDO_PASSWORD", SECRET)
    with pytest.raises(BecomeError, match=PASSWORD_ENVIRONMENT_VARIABLE):
        non_root().run("true", sudo=True, timeout=10)


@pytest.mark.usefixtures("fake_sudo")
def test_the_password_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FAKE_SUDO_PASSWORD", SECRET)
    password_file = tmp_path / "password"
    password_file.write_text(SECRET + "\nignored second line\n")
    password_file.chmod(0o600)
    result = non_root(PasswordSource(password_file=password_file)).run("id -u", sudo=True)
    assert result.ok, result.stderr


def test_a_missing_password_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="host 'h': provision_become_password_file"):
        PasswordSource(password_file=tmp_path / "absent", environ={}).password("h")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_a_password_file_others_may_read_is_refused(tmp_path: Path, mode: int) -> None:
    password_file = tmp_path / "password"
    password_file.write_text("secret-in-file\n")
    password_file.chmod(mode)
    source = PasswordSource(password_file=password_file, environ={})
    with pytest.raises(InputError, match="host 'gpu1': provision_become_password_file") as raised:
        source.password("gpu1")
    assert f"{mode:04o}" in raised.value.message and "chmod 600" in raised.value.message
    assert "secret-in-file" not in raised.value.message


def test_a_private_password_file_is_read(tmp_path: Path) -> None:
    password_file = tmp_path / "password"
    password_file.write_text("from-file\n")
    password_file.chmod(0o600)
    assert PasswordSource(password_file=password_file, environ={}).password("h") == "from-file"


def test_an_inventory_password_wins_over_the_file_but_not_the_environment(
    tmp_path: Path,
) -> None:
    password_file = tmp_path / "password"
    password_file.write_text("from-file\n")
    password_file.chmod(0o600)
    given = PasswordSource(password_file=password_file, password="from-inventory", environ={})
    assert given.password("h") == "from-inventory"
    assert "from-inventory" not in repr(given)
    environment = {PASSWORD_ENVIRONMENT_VARIABLE: "from-env"}
    overridden = PasswordSource(password="from-inventory", environ=environment)
    assert overridden.password("h") == "from-env"


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    password_file = tmp_path / "password"
    password_file.write_text("from-file\n")
    source = PasswordSource(
        password_file=password_file, environ={PASSWORD_ENVIRONMENT_VARIABLE: "from-env"}
    )
    assert source.password("h") == "from-env"


def test_a_prompt_is_asked_once_for_all_hosts() -> None:
    questions: list[str] = []

    def prompt(question: str) -> str:
        questions.append(question)
        return "typed"

    shared = ask_once(prompt)
    first = PasswordSource(prompt=shared, environ={})
    second = PasswordSource(prompt=shared, environ={})
    assert first.password("a") == second.password("b") == "typed"
    assert questions == ["sudo password for a: "]


def test_sudo_missing_on_the_host_is_a_become_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BecomeError, match=r"host 'box'.*not found"):
        non_root().run("true", sudo=True)


def test_the_wrapped_command_carries_no_secret() -> None:
    dialog = BecomeDialog(password=lambda: SECRET)
    line = dialog.wrap("cat /etc/shadow")
    assert SECRET not in line
    assert dialog.prompt in line and dialog.marker.decode().strip() in line


def test_a_password_file_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "password"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(InputError, match=r"provision_become_password_file .*: not a regular file"):
        PasswordSource(password_file=fifo, environ={}).password("h")
