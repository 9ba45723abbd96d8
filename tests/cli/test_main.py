"""`provision.cli.main`: what it sets up before any subcommand runs."""

from __future__ import annotations

import os

import pytest

from provision.cli import main

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
