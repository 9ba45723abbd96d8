"""`verify_hosts`: run every host's checks through pytest and collect the outcomes.

The caller owns the connections (one per host, the same `apply` used), so `apply --verify`
can verify over the connections it converged with.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from provision.connection import Connection
from provision.errors import ProvisionError
from provision.models import HostState
from provision.playbook import PlayTargets
from provision.verify.backend import testinfra_host
from provision.verify.checks import derive_checks
from provision.verify.host_checks import HostUnderTest
from provision.verify.pytest_cases import TEST_MODULE, Case, VerifyPlugin, run_case_here


@dataclass(frozen=True)
class VerifyOptions:
    """How to run: where pytest writes its JUnit XML (None: nowhere)."""

    junitxml: Path | None = None


@dataclass(frozen=True)
class VerifyResult:
    """Every case, in host then check order."""

    cases: tuple[Case, ...]

    @property
    def failed(self) -> bool:
        """Whether any check failed or did not run."""
        return any(case.outcome in ("failed", "not run") for case in self.cases)

    def hosts(self) -> list[str]:
        """The host names, in order."""
        return list(dict.fromkeys(case.host_name for case in self.cases))


def host_cases(connection: Connection, state: HostState) -> list[Case]:
    """The cases of one host: every check its desired state calls for, in order."""
    target = HostUnderTest(connection, testinfra_host(connection))
    cases: list[Case] = []
    by_name: dict[str, Case] = {}
    for check in derive_checks(state):
        case = Case(connection.name, check, target, dependency=by_name.get(check.depends_on))
        by_name[check.name] = case
        cases.append(case)
    return cases


def build_cases(
    targets: Sequence[PlayTargets], connections: Mapping[str, Connection]
) -> list[Case]:
    """The cases of every targeted host (a host in several plays is checked per play)."""
    return [
        case
        for play in targets
        for host in play.hosts
        for case in host_cases(connections[host.name], host.state)
    ]


def check_host(connection: Connection, state: HostState) -> list[Case]:
    """Run one host's checks here and now, without pytest (safe in a worker thread): the
    canary check of a rolling driver upgrade."""
    cases = host_cases(connection, state)
    for case in cases:
        run_case_here(case)
    return cases


def run_cases(cases: list[Case], options: VerifyOptions) -> VerifyResult:
    """Run the cases with pytest (quietly: provision prints its own table)."""
    with tempfile.TemporaryDirectory(prefix="provision-verify-") as folder:
        module = Path(folder) / "test_provision_verify.py"
        module.write_text(TEST_MODULE)
        (Path(folder) / "pytest.ini").write_text("[pytest]\njunit_suite_name = provision-verify\n")
        arguments = [
            str(module), "-c", str(Path(folder) / "pytest.ini"), "--rootdir", folder,
            "-p", "no:cacheprovider", "-p", "no:randomly", "-qq", "--tb=no", "--no-header", "-s",
            "--import-mode=importlib",
            "-W", "ignore::pytest.PytestAssertRewriteWarning",
        ]  # fmt: skip
        if options.junitxml is not None:
            arguments.append(f"--junitxml={options.junitxml.resolve()}")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = pytest.main(arguments, plugins=[VerifyPlugin(cases)])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) and cases:
        tail = printed.getvalue().strip()[-500:]
        raise ProvisionError(f"pytest could not run the checks (exit {int(code)}): {tail}")
    return VerifyResult(tuple(cases))


def verify_hosts(
    targets: Sequence[PlayTargets],
    connections: Mapping[str, Connection],
    options: VerifyOptions | None = None,
) -> VerifyResult:
    """Check every targeted host against its desired state, over `connections` (by name)."""
    return run_cases(build_cases(targets, connections), options or VerifyOptions())
