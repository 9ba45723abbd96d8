"""`provision verify`: bad input is one line and exit 2; an unreachable host fails its
checks with the reason (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import CliRunner

ROOT = Path(__file__).parents[2]
WORKSTATION = str(ROOT / "playbooks/workstation.yaml")
LAB = str(ROOT / "inventories/lab")


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_without_an_inventory_verify_says_so(provision_cli: CliRunner) -> None:
    result = provision_cli("verify", WORKSTATION)
    assert result.code == 2
    assert _one_error_line(result.err) == "provision: error: give an inventory with -i INVENTORY"


def test_a_missing_playbook_is_named(provision_cli: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = provision_cli("verify", str(missing), "-i", LAB)
    assert result.code == 2
    assert str(missing) in _one_error_line(result.err)


def test_local_verification_needs_exactly_one_host(provision_cli: CliRunner) -> None:
    result = provision_cli("verify", WORKSTATION, "-i", LAB, "-c", "local")
    assert result.code == 2
    line = _one_error_line(result.err)
    assert "-c local runs on this machine, but 4 hosts are targeted" in line


def test_a_limit_matching_nothing_is_bad_input(provision_cli: CliRunner) -> None:
    result = provision_cli("verify", WORKSTATION, "-i", LAB, "--limit", "no-such-host")
    assert result.code == 2
    assert result.err.startswith("provision: error:")


def test_an_unreachable_host_fails_its_checks_with_the_reason(
    provision_cli: CliRunner, tmp_path: Path
) -> None:
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(
        "all:\n  children:\n    gpu:\n      hosts:\n        gone:\n"
        "          ansible_host: 127.0.0.1\n          ansible_port: 9\n"
        f"          provision_known_hosts: {tmp_path / 'known_hosts'}\n"
    )
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    result = provision_cli("verify", WORKSTATION, "-i", str(inventory),
                           "--junitxml", str(junit), "--report", str(report))  # fmt: skip
    assert result.code == 1
    assert "gone: 0 passed" in result.out
    checks = json.loads(report.read_text())["hosts"]["gone"]
    assert {check["outcome"] for check in checks} == {"failed", "skipped"}
    assert checks[0]["message"] == "gone: host 'gone' unreachable (refused): connection refused"
    assert junit.read_text().count("<testcase ") == len(checks)
