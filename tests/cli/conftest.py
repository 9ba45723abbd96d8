"""Running the CLI in-process, through the same `main` the console script calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from provision.cli import main


@dataclass(frozen=True)
class CliResult:
    """What a CLI run left: its exit code and its two output streams."""

    code: int
    out: str
    err: str


CliRunner = Callable[..., CliResult]


@pytest.fixture
def provision_cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run `provision ARGS...` and return its exit code, stdout and stderr."""

    def run(*arguments: str) -> CliResult:
        with pytest.raises(SystemExit) as exited:
            main(list(arguments))
        captured = capsys.readouterr()
        code = exited.value.code
        return CliResult(code if isinstance(code, int) else 1, captured.out, captured.err)

    return run
