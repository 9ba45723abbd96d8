"""Verify's lab fixtures: hosts started from the session's converged snapshot
(`converged_workstation`) to break one thing each, and the CLI run in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from provision_lab.pytest_plugin import LabHost, RunningLab
from tests.conftest import CliRunner as Provision
from tests.conftest import lab_inventory


@pytest.fixture
def provision(provision_cli: Provision) -> Provision:
    """`provision(*arguments)`: the CLI run in-process (see `provision_cli`)."""
    return provision_cli


@pytest.fixture
def converged_host(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], tmp_path: Path
) -> tuple[LabHost, Path]:
    """A new host started from the session's converged snapshot, and an inventory for it
    alone."""
    host = new_host(snapshot=converged_workstation)
    return host, lab_inventory(lab, host, tmp_path / "inventory")
