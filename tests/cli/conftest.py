"""The CLI tests share the in-process runner of `tests/conftest.py` (`provision_cli`)."""

from tests.conftest import CliResult, CliRunner

__all__ = ["CliResult", "CliRunner"]
