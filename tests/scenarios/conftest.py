"""Scenario fixtures: the lab's (from provision's pytest plugin), and the shared CLI runner
and lab inventories of `tests/conftest.py` under the names the scenarios read best with."""

from __future__ import annotations

import pytest

from provision_lab.pytest_plugin import fresh_host, lab, new_host, ssh
from tests.conftest import WORKSTATION as PLAYBOOK
from tests.conftest import CliResult as Result
from tests.conftest import CliRunner as Provision
from tests.conftest import lab_inventory as write_inventory

__all__ = [
    "PLAYBOOK",
    "Provision",
    "Result",
    "fresh_host",
    "lab",
    "new_host",
    "ssh",
    "write_inventory",
]


@pytest.fixture
def provision(provision_cli: Provision) -> Provision:
    """`provision(*arguments)`: the CLI run in-process (see `provision_cli`)."""
    return provision_cli
