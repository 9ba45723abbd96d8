"""gather_many: every host reports on its own, whatever went wrong on another; only
bad input ends the run."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from provision.connection import BecomeError, CommandResult, Connection, LocalConnection
from provision.connection.become import PasswordSource
from provision.errors import InputError
from provision.facts import FactsRequest, HostReport, gather_many

REQUEST = FactsRequest(users=("root",))


class FailingConnection:
    """A connection whose every command fails with `error`; remembers being closed."""

    def __init__(self, name: str, error: BaseException) -> None:
        self._name = name
        self._error = error
        self.closed = False

    @property
    def name(self) -> str:
        return self._name

    def open(self) -> None:
        pass

    @property
    def can_become(self) -> bool:
        return False

    def run(
        self,
        command: str,
        *,
        timeout: float | None = None,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        sudo: bool = False,
    ) -> CommandResult:
        raise self._error

    def upload(
        self, data: bytes, path: str, *, owner: str | None = None, mode: int = 0o644
    ) -> None:
        raise AssertionError("facts never upload")

    def close(self) -> None:
        self.closed = True


def by_name(reports: list[HostReport]) -> dict[str, HostReport]:
    return {report.name: report for report in reports}


@pytest.mark.parametrize(
    ("error", "shown"),
    [(BrokenPipeError(32, "Broken pipe"), "BrokenPipeError: [Errno 32] Broken pipe"),
     (ValueError("1 validation error for Facts\nkernel.uid"), "ValueError: 1 validation error"),
     (KeyError("python"), "KeyError: 'python'")],
)  # fmt: skip
def test_an_unexpected_error_on_one_host_is_that_hosts_internal_failure(
    error: Exception, shown: str
) -> None:
    broken = FailingConnection("broken", error)
    connections: list[Connection] = [LocalConnection(name="healthy"), broken]
    reports = gather_many(connections, REQUEST, forks=2)
    assert [report.name for report in reports] == ["healthy", "broken"]
    healthy, failed = reports
    assert healthy.facts is not None and healthy.facts.complete and not healthy.failed
    assert failed.failed and failed.reason == "internal"
    assert failed.error is not None and "\n" not in failed.error
    assert failed.error.startswith("host 'broken': internal error while gathering facts: ")
    assert shown in failed.error
    assert failed.document() == {"failed": True, "reason": "internal", "message": failed.error}
    assert not broken.closed


def test_a_host_error_is_reported_as_failed() -> None:
    refused = FailingConnection("refused", BecomeError("refused", "sudo rejected the password"))
    [report] = gather_many([refused], REQUEST)
    assert (report.reason, report.error) == (
        "failed",
        "host 'refused': cannot become root with sudo: sudo rejected the password",
    )


def test_bad_input_ends_the_run_naming_host_and_variable(tmp_path: Path) -> None:
    with pytest.raises(InputError) as unreadable:
        PasswordSource(password_file=tmp_path / "absent", environ={}).password("gpu2")
    error = unreadable.value
    healthy = FailingConnection("gpu1", BecomeError("gpu1", "no"))
    with pytest.raises(InputError, match="host 'gpu2': provision_become_password_file"):
        gather_many([healthy, FailingConnection("gpu2", error)], REQUEST, forks=2)


def test_connections_are_closed_only_when_asked_and_requests_may_differ_per_host() -> None:
    first, second = FailingConnection("a", OSError("x")), FailingConnection("b", OSError("y"))
    asked: list[str] = []

    def request_for(connection: Connection) -> FactsRequest:
        asked.append(connection.name)
        return REQUEST

    reports = gather_many([first, second], request_for, forks=1, close=True)
    assert sorted(asked) == ["a", "b"] and first.closed and second.closed
    assert by_name(reports)["b"].error == (
        "host 'b': internal error while gathering facts: OSError: y"
    )
    assert gather_many([], REQUEST) == []
