"""Cases run through pytest: outcomes recorded, and pytest's JUnit file lists each case."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from pathlib import Path

import pytest

from provision.connection import CommandResult
from provision.models import HostState
from provision.playbook import HostTarget, PlayTargets
from provision.verify import VerifyOptions, verify_hosts
from provision.verify.program_checks import parse_tensor_output

LIBTORCH_OUTPUT = " 0.4963  0.7682  0.0885\n 0.1320  0.3074  0.6341\n[ CPUFloatType{2,3} ]\n"


class ScriptedConnection:
    """Answers commands from a table of (command fragment, exit code, stdout)."""

    def __init__(self, name: str, answers: list[tuple[str, int, str]]) -> None:
        self.name = name
        self.can_become = True
        self.answers = answers

    def run(self, command: str, *, timeout: float | None = None, stdin: bytes | None = None,
            env: Mapping[str, str] | None = None, sudo: bool = False) -> CommandResult:  # fmt: skip
        for fragment, code, stdout in self.answers:
            if fragment in command:
                return CommandResult(code, stdout.encode(), b"", 0.0)
        return CommandResult(1, b"", b"unexpected command", 0.0)

    def upload(
        self, data: bytes, path: str, *, owner: str | None = None, mode: int = 0o644
    ) -> None:
        """Uploads succeed."""

    def close(self) -> None:
        """Nothing to release."""


def play_of(names: list[str], state: HostState) -> PlayTargets:
    hosts = tuple(HostTarget(name, state, ()) for name in names)
    return PlayTargets(play=None, number=1, hosts=hosts)  # type: ignore[arg-type]


def test_each_check_of_each_host_is_one_junit_case(tmp_path: Path) -> None:
    state = HostState.model_validate({"libtorch": {"version": "2.13.0", "variant": "cpu"}})
    good = ScriptedConnection("good", [("cat -- /opt/libtorch/build-version", 0, "2.13.0+cpu\n"),
                                       ("test -e /opt/libtorch/build-version", 0, ""),
                                       ("example-app", 0, LIBTORCH_OUTPUT), ("mkdir", 0, ""),
                                       ("uname", 0, "Linux\n")])  # fmt: skip
    empty = ScriptedConnection(
        "empty", [("mkdir", 0, ""), ("example-app", 0, LIBTORCH_OUTPUT), ("uname", 0, "Linux")]
    )
    junit = tmp_path / "junit.xml"
    plays = [play_of(["good"], state), play_of(["empty"], state)]
    result = verify_hosts(plays, {"good": good, "empty": empty}, VerifyOptions(junitxml=junit))
    outcomes = {(case.host_name, case.check.name): case.outcome for case in result.cases}
    assert outcomes == {
        ("good", "libtorch build-version"): "passed",
        ("good", "libtorch example builds and runs"): "passed",
        ("empty", "libtorch build-version"): "failed",
        ("empty", "libtorch example builds and runs"): "skipped",
    }
    assert result.failed
    messages = [case.message for case in result.cases if case.host_name == "empty"]
    assert "no libtorch unpacked in /opt/libtorch" in messages[0]
    assert messages[1] == "not checked: 'libtorch build-version' failed"
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "provision-verify"
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [
        "test_check[good | libtorch build-version]",
        "test_check[good | libtorch example builds and runs]",
        "test_check[empty | libtorch build-version]",
        "test_check[empty | libtorch example builds and runs]",
    ]
    assert [case.find("failure") is not None for case in cases] == [False, False, True, False]
    assert cases[3].find("skipped") is not None


def test_the_libtorch_tensor_is_parsed() -> None:
    assert parse_tensor_output("cmake noise\n" + LIBTORCH_OUTPUT)[1] == [0.132, 0.3074, 0.6341]
    with pytest.raises(ValueError, match="expected a 2x3 tensor"):
        parse_tensor_output("Segmentation fault")
