"""Skipping a test this machine cannot run, except in CI (`CI` set), where it fails.

The same rule as the lab's `provision_lab.pytest_plugin.require_lab`, for the
connection tests that need root or a local sshd rather than the whole lab.
"""

from __future__ import annotations

import os

import pytest


def skip_unless_possible(missing: str | None) -> None:
    """Skip with `missing` as the reason (fail in CI); nothing when `missing` is None."""
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"cannot run in CI: {missing}", pytrace=False)
    pytest.skip(missing)


def require_root(purpose: str) -> None:
    """Skip (fail in CI) unless this process is root."""
    skip_unless_possible(None if os.geteuid() == 0 else f"needs root {purpose}")
