"""`provision facts`: one JSON object keyed by host, a table per host, an unreachable host
reported with its reason (exit 1) while the others still report, bad input exit 2."""

from __future__ import annotations

import json
import os
import socket
import textwrap
from pathlib import Path
from typing import Any

import pytest

from provision.cli import command
from provision.cli.facts import facts_command
from provision.connection import PASSWORD_ENVIRONMENT_VARIABLE, CommandResult, LocalConnection
from provision.facts import Facts
from tests.cli.conftest import CliRunner


def test_facts_is_a_command_of_the_cli() -> None:
    assert command("facts") is facts_command


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_inventory(folder: Path, text: str) -> str:
    path = folder / "hosts.yaml"
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_the_control_node_as_json(provision_cli: CliRunner) -> None:
    result = provision_cli("facts", "-c", "local", "--json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert list(document) == ["localhost"]
    facts = Facts.model_validate(document["localhost"])
    assert facts.complete and facts.shell[0].user == "root"


def test_the_control_node_as_a_table(provision_cli: CliRunner) -> None:
    result = provision_cli("facts", "-c", "local", "--shell-user", "nobody")
    assert result.code == 0, result.err
    assert result.out.startswith("localhost (")
    for topic in ("nouveau", "driver", "cuda", "conda", "libtorch", "apt", "nobody:"):
        assert topic in result.out


def test_requested_files_are_reported(provision_cli: CliRunner, tmp_path: Path) -> None:
    managed = tmp_path / "blacklist-nouveau.conf"
    managed.write_text("blacklist nouveau\n")
    result = provision_cli("facts", "-c", "local", "--json", "--file", str(managed))
    assert result.code == 0, result.err
    [reported] = json.loads(result.out)["localhost"]["files"]
    assert (reported["path"], reported["content"]) == (str(managed), "blacklist nouveau\n")
    table = provision_cli("facts", "-c", "local", "--file", str(managed))
    assert "sha256 " in table.out


def test_an_unreachable_host_is_reported_while_the_others_report(
    provision_cli: CliRunner, tmp_path: Path
) -> None:
    port = closed_port()
    inventory = write_inventory(
        tmp_path,
        f"""\
        all:
          hosts:
            control:
              ansible_connection: local
            down:
              ansible_host: 127.0.0.1
              ansible_port: {port}
              ansible_user: root
        """,
    )
    result = provision_cli("facts", "-i", inventory, "--json", "--forks", "2")
    assert result.code == 1
    document = json.loads(result.out)
    assert set(document) == {"control", "down"}
    assert Facts.model_validate(document["control"]).complete
    assert document["down"] == {
        "failed": True,
        "reason": "refused",
        "message": "host 'down' unreachable (refused): connection refused",
    }
    assert result.err == "provision: host 'down' unreachable (refused): connection refused\n"


def test_limit_selects_hosts(provision_cli: CliRunner, tmp_path: Path) -> None:
    inventory = write_inventory(
        tmp_path,
        f"""\
        all:
          hosts:
            control:
              ansible_connection: local
            down:
              ansible_host: 127.0.0.1
              ansible_port: {closed_port()}
        """,
    )
    result = provision_cli("facts", "-i", inventory, "--limit", "control", "--json")
    assert result.code == 0, result.err
    assert list(json.loads(result.out)) == ["control"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [((), "give an inventory with -i INVENTORY, or -c local"),
     (("-c", "local", "-i", "x"), "-c local gathers the control node itself"),
     (("-c", "local", "--shell-user", "a b"), "--shell-user: 'a b' is not a valid user name"),
     (("-c", "local", "--shell-user", "Alice"), "--shell-user: 'Alice' is not a valid user name"),
     (("-c", "local", "--conda-prefix", "conda"), "--conda-prefix: 'conda' is not an absolute"),
     (("-c", "local", "--libtorch-path", "/a\nb"), "--libtorch-path:"),
     (("-c", "local", "--file", "etc/passwd"), "--file: 'etc/passwd' is not an absolute path")],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    provision_cli: CliRunner, arguments: tuple[str, ...], message: str
) -> None:
    result = provision_cli("facts", *arguments)
    assert result.code == 2
    assert result.err.startswith(f"provision: error: {message}")
    assert result.err.count("\n") == 1 and result.out == ""


def test_a_bad_connection_variable_fails_before_any_host_is_contacted(
    provision_cli: CliRunner, tmp_path: Path
) -> None:
    inventory = write_inventory(
        tmp_path,
        """\
        all:
          hosts:
            control:
              ansible_connection: local
            odd:
              ansible_host: 127.0.0.1
              provision_host_key_checking: sometimes
        """,
    )
    result = provision_cli("facts", "-i", inventory, "--json")
    assert result.code == 2 and result.out == ""
    assert "host 'odd': provision_host_key_checking" in result.err


def test_forks_must_be_positive(provision_cli: CliRunner) -> None:
    result = provision_cli("facts", "-c", "local", "--forks", "0")
    assert result.code == 2
    assert "--forks" in result.err


def two_local_hosts(folder: Path, odd_variables: str = "") -> str:
    return write_inventory(
        folder,
        f"""\
        all:
          hosts:
            control:
              ansible_connection: local
            odd:
              ansible_connection: local
              {odd_variables}
        """,
    )


def test_an_unexpected_error_on_one_host_is_its_failure_not_the_runs(
    provision_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = LocalConnection.run

    def run(self: LocalConnection, command: str, **options: Any) -> CommandResult:
        if self.name == "odd":
            raise BrokenPipeError(32, "Broken pipe")
        return original(self, command, **options)

    monkeypatch.setattr(LocalConnection, "run", run)
    result = provision_cli("facts", "-i", two_local_hosts(tmp_path), "--json", "--forks", "2")
    assert result.code == 1, result.err
    document = json.loads(result.out)
    assert Facts.model_validate(document["control"]).complete
    message = (
        "host 'odd': internal error while gathering facts: BrokenPipeError: [Errno 32] Broken pipe"
    )
    assert document["odd"] == {"failed": True, "reason": "internal", "message": message}
    assert result.err == f"provision: {message}\n"


def test_an_unreadable_password_file_ends_the_run_with_exit_2(
    provision_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(self: LocalConnection, command: str, **options: Any) -> CommandResult:
        self._passwords.password(self.name)  # as sudo's password prompt does
        raise AssertionError("the password file is missing")

    monkeypatch.setattr(LocalConnection, "run", run)
    monkeypatch.delenv(PASSWORD_ENVIRONMENT_VARIABLE, raising=False)
    missing = tmp_path / "no-such-password"
    inventory = two_local_hosts(tmp_path, f"provision_become_password_file: {missing}")
    result = provision_cli("facts", "-i", inventory, "--limit", "odd", "--json")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("provision: error: host 'odd': provision_become_password_file")
    assert result.err.count("\n") == 1


@pytest.mark.parametrize(("arguments", "sudo"), [((), False), (("--become",), True)])
def test_local_facts_as_a_plain_user_run_as_that_user_unless_become_is_asked(
    provision_cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    arguments: tuple[str, ...],
    sudo: bool,
) -> None:
    asked: list[bool] = []
    original = LocalConnection.run

    def run(self: LocalConnection, command: str, **options: Any) -> CommandResult:
        asked.append(bool(options.pop("sudo", False)))
        return original(self, command, **options)

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(LocalConnection, "run", run)
    result = provision_cli("facts", "-c", "local", "--json", *arguments)
    assert result.code == 0, result.err
    assert asked == [sudo]


def test_become_is_only_for_the_control_node(provision_cli: CliRunner, tmp_path: Path) -> None:
    result = provision_cli("facts", "-i", two_local_hosts(tmp_path), "--become")
    assert result.code == 2
    assert result.err == (
        "provision: error: --become is for -c local; inventory hosts use ansible_become\n"
    )
