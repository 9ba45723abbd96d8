"""`provision verify` on lab hosts: a converged host passes every check, and breaking one
thing at a time fails exactly the check that looks at it, saying what is wrong."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from provision_lab.pytest_plugin import LabHost, SshRunner

PLAYBOOK = Path(__file__).resolve().parents[3] / "playbooks" / "workstation.yaml"

pytestmark = pytest.mark.lab


def verify(
    provision: Callable[..., Any], inventory: Path, folder: Path
) -> tuple[int, dict[str, dict[str, str]], ElementTree.Element]:
    """Run verify; return its exit code, each check's outcome and message, and the JUnit."""
    started = time.monotonic()
    result = provision("verify", str(PLAYBOOK), "-i", str(inventory),
                           "--junitxml", str(folder / "junit.xml"),
                           "--report", str(folder / "report.json"))  # fmt: skip
    print(f"verify took {time.monotonic() - started:.1f} s")
    hosts = json.loads((folder / "report.json").read_text())["hosts"]
    [checks] = hosts.values()
    outcomes = {check["check"]: check for check in checks}
    return result.code, outcomes, ElementTree.parse(folder / "junit.xml").getroot()


def not_passed(outcomes: dict[str, dict[str, str]]) -> dict[str, str]:
    return {
        name: f"{check['outcome']}: {check['message']}"
        for name, check in outcomes.items()
        if check["outcome"] != "passed"
    }


NO_GPU = "pytorch on the GPUs in torch"
STAND_IN_TOOLKITS = ("11.7", "11.8", "12.1")
PROGRAM_CHECKS_OFF = {
    f"cuda {release} {step}": f"skipped: program_check is off for CUDA {release}"
    for release in STAND_IN_TOOLKITS
    for step in ("program compiles and links", "program runs")
}
"""The sandbox's toolkits are stand-ins whose nvcc cannot compile: their program checks
are off in its inventory, and shown as skipped."""


def test_a_converged_host_passes_every_check_and_the_junit_lists_them(
    converged_host: tuple[LabHost, Path], provision: Callable[..., Any], tmp_path: Path
) -> None:
    host, inventory = converged_host
    code, outcomes, junit = verify(provision, inventory, tmp_path)
    assert code == 0
    # The CPU-only lab has no GPU and does not require one: said, never silent.
    assert not_passed(outcomes) == {
        NO_GPU: "skipped: no GPU: CUDA checks skipped (verify.require_gpu is false)",
        **PROGRAM_CHECKS_OFF,
    }
    assert "libtorch example builds and runs" in outcomes
    assert outcomes["libtorch example builds and runs"]["message"].startswith("printed a 2x3")
    cases = junit.findall("./testsuite/testcase")
    assert sorted(str(case.get("name")) for case in cases) == sorted(
        f"test_check[{host.name} | {name}]" for name in outcomes
    )
    assert len(cases) == 25


def test_apply_verify_checks_the_converged_host_right_after_applying(
    converged_host: tuple[LabHost, Path], provision: Callable[..., Any], tmp_path: Path
) -> None:
    host, inventory = converged_host
    junit_path = tmp_path / "apply-junit.xml"
    result = provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes",
                       "--verify", "--junitxml", str(junit_path))  # fmt: skip
    assert result.code == 0, result.out + result.err
    assert f"{host.name}: 18 passed, 0 failed, 7 skipped" in result.out
    cases = ElementTree.parse(junit_path).getroot().findall("./testsuite/testcase")
    assert len(cases) == 25
    assert not [case for case in cases if case.find("failure") is not None]


def test_apply_verify_fails_the_run_when_a_check_fails(
    converged_host: tuple[LabHost, Path], provision: Callable[..., Any], ssh: SshRunner,
    tmp_path: Path,
) -> None:  # fmt: skip
    host, inventory = converged_host
    # libtorch emptied behind provision's back is a folder it will not replace (not its own),
    # so apply leaves it and only the verification can tell.
    ssh(host, "rm -rf /opt/libtorch && mkdir /opt/libtorch")
    result = provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes", "--verify")
    assert result.code == 1
    assert f"{host.name}: 16 passed, 1 failed, 8 skipped" in result.out


BREAKS = [
    pytest.param("rm -rf /usr/local/cuda-11.7", "cuda 11.7 nvcc",
                 "/usr/local/cuda-11.7/bin/nvcc --version failed", id="remove-a-toolkit"),
    pytest.param("ln -sfn /usr/local/cuda-12.1 /usr/local/cuda", "/usr/local/cuda is active",
                 "/usr/local/cuda points at /usr/local/cuda-12.1, not /usr/local/cuda-11.8",
                 id="repoint-the-symlink"),
    pytest.param("rm -rf /opt/conda/envs/torch", "conda env torch",
                 "the conda env /opt/conda/envs/torch does not exist", id="delete-the-env"),
    pytest.param("sed -i 's#^export CUDA_HOME=.*#export CUDA_HOME=/opt/nothing#' /home/ops/.bashrc",
                 "login shell of ops",
                 "a login shell of ops finds nvcc at nowhere, not /usr/local/cuda-11.8/bin/nvcc",
                 id="corrupt-the-block"),
    pytest.param("rm -rf /opt/libtorch && mkdir /opt/libtorch", "libtorch build-version",
                 "/opt/libtorch/build-version is missing", id="empty-libtorch"),
]  # fmt: skip


@pytest.mark.parametrize(("breakage", "check", "message"), BREAKS)
def test_breaking_one_thing_fails_its_check_only(
    converged_host: tuple[LabHost, Path],
    ssh: SshRunner,
    provision: Callable[..., Any],
    tmp_path: Path,
    breakage: str,
    check: str,
    message: str,
) -> None:
    host, inventory = converged_host
    ssh(host, breakage)
    code, outcomes, junit = verify(provision, inventory, tmp_path)
    assert code == 1
    failed = {name: c["message"] for name, c in outcomes.items() if c["outcome"] == "failed"}
    assert list(failed) == [check]
    assert message in failed[check]
    # Checks that stand on the broken one are skipped, saying why; nothing else moves.
    skipped = {name for name, c in outcomes.items() if c["outcome"] == "skipped"} - {NO_GPU}
    for name in skipped:
        off = PROGRAM_CHECKS_OFF.get(name, "").removeprefix("skipped: ")
        assert outcomes[name]["message"] in (f"not checked: '{check}' failed", off)
    failures = junit.findall("./testsuite/testcase/failure")
    assert len(failures) == 1
