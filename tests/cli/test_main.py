"""`provision.cli.main`: what it sets up before any subcommand runs."""

from __future__ import annotations

import os

import pytest

import provision.cli as cli_module
from provision.cli import main
from tests.cli.conftest import CliRunner

PLUGINS = "PYDANTIC_DISABLE_PLUGINS"


def _run_version(monkeypatch: pytest.MonkeyPatch, value: str | None) -> str | None:
    monkeypatch.setenv(PLUGINS, "placeholder")  # so the test's environment is restored after
    if value is None:
        monkeypatch.delenv(PLUGINS)
    else:
        monkeypatch.setenv(PLUGINS, value)
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    return os.environ.get(PLUGINS)


def test_pydantic_plugins_are_not_searched_for(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run_version(monkeypatch, None) == "__all__"


def test_a_users_own_plugin_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run_version(monkeypatch, "logfire") == "logfire"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["validate", "--bogus"], "UsageError: No such option '--bogus'."),
        (["validate"], "UsageError: Missing argument 'PLAYBOOK'."),
        (["bogus"], "UsageError: No such command 'bogus'."),
        ([], "UsageError: no command given (see 'provision --help')"),
        (["lab"], "UsageError: no command given (see 'provision lab --help')"),
        (
            ["apply", "p", "-i", "i", "--forks", "0"],
            "UsageError: Invalid value for '-f' / '--forks'",
        ),
    ],
)
def test_a_usage_error_is_one_line_and_exit_2(
    provision_cli: CliRunner, arguments: list[str], message: str
) -> None:
    result = provision_cli(*arguments)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"provision: error: {message}")
    assert result.err.count("\n") == 1 and "Usage:" not in result.err


def test_an_error_message_quoting_control_characters_stays_one_line(
    provision_cli: CliRunner,
) -> None:
    result = provision_cli("inventory", "-i", "ws1,", "--hosts", "a\nb\x1b[2J")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "\x1b" not in result.err
    assert "'a\\nb\\x1b[2J'" in result.err


def test_the_lab_command_comes_from_the_lab_distribution(provision_cli: CliRunner) -> None:
    result = provision_cli("lab", "--help")
    assert result.code == 0
    assert "Usage: provision lab" in result.out and "sandbox lab" in result.out


@pytest.mark.parametrize("arguments", [["lab", "up"], ["lab", "up", "--hosts", "2"], ["lab"]])
def test_without_the_lab_installed_provision_lab_says_how_to_get_it(
    provision_cli: CliRunner, monkeypatch: pytest.MonkeyPatch, arguments: list[str]
) -> None:
    monkeypatch.setattr(cli_module, "plugin_commands", dict)
    cli_module.cli.commands.pop("lab", None)
    result = provision_cli(*arguments)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "provision: error: the sandbox lab is not installed: it is the provision-lab "
        "distribution in provision's repository (pip install ./lab, or bash "
        "scripts/setup-machine)\n"
    )


def test_a_plugin_that_cannot_be_imported_is_one_line(
    provision_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_module, "plugin_commands", lambda: {"lab": "no_such_lab.cli:group"})
    cli_module.cli.commands.pop("lab", None)
    result = provision_cli("lab", "up")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(
        "provision: error: the command 'lab' is installed as no_such_lab.cli:group but cannot "
        "be loaded: No module named 'no_such_lab'"
    )
    assert result.err.count("\n") == 1
