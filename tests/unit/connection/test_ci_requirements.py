"""Tests that need root or sshd skip on a developer machine but fail in CI."""

from __future__ import annotations

import os

import pytest
from ci_requirements import require_root, skip_unless_possible


def test_without_root_a_developer_machine_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.skip.Exception, match="needs root to chown"):
        require_root("to chown")


def test_without_root_ci_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: needs root to chown"):
        require_root("to chown")


def test_as_root_nothing_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    require_root("to chown")
    skip_unless_possible(None)
