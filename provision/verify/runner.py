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
from provision.playbook import PlayTargets
from provision.verify.backend import testinfra_host
from provision.verify.checks import derive_checks
from provision.verify.host_checks import HostUnderTest
from provision.verify.pytest_plugin import TEST_MODULE, Case, VerifyPlugin


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


def build_cases(
    targets: Sequence[PlayTargets], connections: Mapping[str, Connection]
) -> list[Case]:
    """The cases of every targeted host (a host in several plays is checked per play)."""
    cases: list[Case] = []
    for play in targets:
        for host in play.hosts:
            connection = connections[host.name]
            target = HostUnderTest(connection, testinfra_host(connection))
            by_name: dict[str, Case] = {}
            for check in derive_checks(host.state):
                case = Case(host.name, check, target, dependency=by_name.get(check.depends_on))
                by_name[check.name] = case
                cases.append(case)
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
