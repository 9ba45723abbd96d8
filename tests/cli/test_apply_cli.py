"""`provision plan` and `provision apply` without a lab: bad input, unreachable hosts, the
report file, and planning the control node itself (read-only)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.cli.conftest import CliRunner

PLAYBOOK = "- hosts: all\n  state: {reboot: never}\n"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "play.yaml").write_text(PLAYBOOK)
    (tmp_path / "known_hosts").write_text("")
    hosts = {
        name: {"ansible_host": "127.0.0.1", "ansible_port": closed_port(),
               "ansible_user": "root", "provision_known_hosts": str(tmp_path / "known_hosts")}
        for name in ("gone-1", "gone-2")
    }  # fmt: skip
    (tmp_path / "hosts.yaml").write_text(json.dumps({"all": {"hosts": hosts}}))
    return tmp_path


def test_unreachable_hosts_fail_the_apply_and_the_report_says_why(
    provision_cli: CliRunner, files: Path
) -> None:
    report = files / "report.json"
    result = provision_cli("apply", str(files / "play.yaml"), "-i", str(files / "hosts.yaml"),
                           "--yes", "--report", str(report))  # fmt: skip
    assert result.code == 1
    assert "gone-1: unreachable: host 'gone-1' unreachable (refused)" in result.out
    document = json.loads(report.read_text())
    assert set(document["hosts"]) == {"gone-1", "gone-2"}
    assert document["hosts"]["gone-2"]["status"] == "unreachable"
    assert document["hosts"]["gone-2"]["changes"] == []
    assert document["summary"]["unreachable"] == 2
    assert "hosts=2: ok=0" in result.out


def test_plan_of_an_unreachable_host_exits_1(provision_cli: CliRunner, files: Path) -> None:
    result = provision_cli("plan", str(files / "play.yaml"), "-i", str(files / "hosts.yaml"),
                           "--limit", "gone-1", "--detailed-exitcode")  # fmt: skip
    assert result.code == 1
    assert "gone-1: unreachable" in result.out and "gone-2" not in result.out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.yaml"], "missing.yaml"),
        (["play.yaml", "--report", "no-such-folder/r.json", "--yes"],
         "--report: folder"),
        (["play.yaml", "-c", "local"], "-c local runs on this machine, but 2 hosts are targeted"),
        (["play.yaml", "--forks", "0"], "--forks"),
        (["play.yaml", "-e", "{not yaml"], "-e:1:10: malformed YAML"),
        (["play.yaml", "--limit", "nobody"], "'nobody' matches no group or host"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_one_line_message(
    provision_cli: CliRunner, files: Path, arguments: list[str], message: str
) -> None:
    paths = [str(files / word) if word.endswith((".yaml", ".json")) else word
             for word in arguments]  # fmt: skip
    result = provision_cli("apply", *paths, "-i", str(files / "hosts.yaml"))
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_plan_of_the_control_node_with_nothing_to_change_exits_0(
    provision_cli: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "play.yaml").write_text("- hosts: all\n  state: {}\n")
    (tmp_path / "hosts.yaml").write_text("all:\n  hosts:\n    me:\n")
    result = provision_cli("plan", str(tmp_path / "play.yaml"), "-i", str(tmp_path / "hosts.yaml"),
                           "-c", "local", "--detailed-exitcode")  # fmt: skip
    assert result.code == 0, result.err
    assert "me: up to date (0 changes)" in result.out
    result = provision_cli("plan", str(tmp_path / "play.yaml"), "-i", str(tmp_path / "hosts.yaml"),
                           "-c", "local", "--json")  # fmt: skip
    assert json.loads(result.out)["hosts"]["me"]["plan"]["changes"] == []
