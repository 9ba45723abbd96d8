"""`--limit @FILE`: a failed run writes a retry file, and every command reruns only the
hosts it lists; `serial:` batches stop a run after a failed batch (no lab needed: the
hosts are unreachable ports on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import CliRunner
from tests.cli.test_apply_cli import closed_port

NAMES = ("gone-1", "gone-2", "gone-3")


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "fleet.yaml").write_text("- hosts: all\n  state: {reboot: never}\n")
    (tmp_path / "known_hosts").write_text("")
    hosts = {
        name: {"ansible_host": "127.0.0.1", "ansible_port": closed_port(),
               "ansible_user": "root", "provision_known_hosts": str(tmp_path / "known_hosts")}
        for name in NAMES
    }  # fmt: skip
    (tmp_path / "hosts.yaml").write_text(json.dumps({"all": {"hosts": hosts}}))
    return tmp_path


def test_a_failed_apply_writes_the_retry_file_beside_the_report(
    provision_cli: CliRunner, files: Path
) -> None:
    report = files / "out" / "report.json"
    report.parent.mkdir()
    result = provision_cli("apply", str(files / "fleet.yaml"), "-i", str(files / "hosts.yaml"),
                           "--yes", "--report", str(report), "-l", "gone-1,gone-3")  # fmt: skip
    assert result.code == 1
    retry = files / "out" / "fleet.retry"
    assert retry.read_text() == "gone-1\ngone-3\n"
    assert f"--limit @{retry}" in result.out


def test_without_a_report_the_retry_file_goes_to_the_current_folder(
    provision_cli: CliRunner, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(files)
    result = provision_cli("apply", "fleet.yaml", "-i", "hosts.yaml", "--yes", "-l", "gone-2")
    assert result.code == 1
    assert (files / "fleet.retry").read_text() == "gone-2\n"


@pytest.mark.parametrize("command", ["plan", "hosts", "validate"])
def test_limit_at_file_selects_only_the_hosts_it_lists(
    provision_cli: CliRunner, files: Path, command: str
) -> None:
    retry = files / "fleet.retry"
    retry.write_text("gone-2\n\n  gone-3  \n")
    result = provision_cli(command, str(files / "fleet.yaml"), "-i", str(files / "hosts.yaml"),
                           "--limit", f"@{retry}")  # fmt: skip
    assert result.code in (0, 1), result.err
    if command == "validate":
        assert "(1 play, 2 hosts)" in result.out
    else:
        assert "gone-2" in result.out and "gone-3" in result.out
        assert "gone-1" not in result.out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "--limit @{path}: file {path} does not exist"),
        ("\n  \n", "--limit @{path}: {path} lists no host"),
        ("gone-9\n", "'gone-9' matches no group or host"),
    ],
)
def test_a_bad_retry_file_is_a_one_line_input_error(
    provision_cli: CliRunner, files: Path, content: str | None, message: str
) -> None:
    path = files / "old.retry"
    if content is not None:
        path.write_text(content)
    result = provision_cli("plan", str(files / "fleet.yaml"), "-i", str(files / "hosts.yaml"),
                           "--limit", f"@{path}")  # fmt: skip
    assert result.code == 2
    assert message.format(path=path) in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


def test_a_rolling_play_keeps_hosts_that_could_not_be_reached_unreachable(
    provision_cli: CliRunner, files: Path
) -> None:
    playbook = files / "rolling.yaml"
    playbook.write_text("- hosts: all\n  serial: 1\n  max_fail_percentage: 0\n"
                        "  state: {reboot: never}\n")  # fmt: skip
    report = files / "report.json"
    result = provision_cli("apply", str(playbook), "-i", str(files / "hosts.yaml"), "--yes",
                           "--report", str(report))  # fmt: skip
    assert result.code == 1
    document = json.loads(report.read_text())
    assert {host["status"] for host in document["hosts"].values()} == {"unreachable"}
    assert (files / "rolling.retry").read_text() == "gone-1\ngone-2\ngone-3\n"


def test_facts_reads_a_limit_file_too(provision_cli: CliRunner, files: Path) -> None:
    retry = files / "fleet.retry"
    retry.write_text("gone-3\n")
    result = provision_cli("facts", "-i", str(files / "hosts.yaml"), "--limit", f"@{retry}")
    assert result.code == 1
    assert "gone-3" in result.out + result.err
    assert "gone-1" not in result.out + result.err
    missing = provision_cli("facts", "-i", str(files / "hosts.yaml"), "-l", "@nope.retry")
    assert missing.code == 2
    assert "--limit @nope.retry: file nope.retry does not exist" in missing.err
