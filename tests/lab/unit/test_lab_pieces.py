"""Pure pieces of the lab: apt sources, the init script, the inventory, the sshd log,
process records, and the CLI's errors (no root needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from provision.cli import cli
from provision.errors import EnvironmentNotSupportedError
from provision_lab import control_node, pytest_plugin
from provision_lab.apt_sources import mirror_from_deb822, mirror_from_sources_list
from provision_lab.host_init import HostBoot, render_init_script
from provision_lab.inventory_writer import write_inventory
from provision_lab.paths import LabPaths
from provision_lab.processes import ProcessRecord, is_running, record_process, stop_process
from provision_lab.sshd_log import count_sessions
from provision_lab.state import HostRecord, LabState, MirrorRecord

DEB822 = """\
Types: deb
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Enabled: no

Types: deb-src deb
URIs: http://second.example/debian
 http://third.example/debian
Suites: bookworm
Components: main contrib

Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main
"""


def test_the_debian_mirror_is_read_from_deb822_sources() -> None:
    assert mirror_from_deb822(DEB822, "bookworm") == "http://second.example/debian"
    assert mirror_from_deb822(DEB822, "trixie") is None


def test_the_debian_mirror_is_read_from_a_classic_sources_list() -> None:
    text = (
        "# deb http://commented.example/debian bookworm main\n"
        "deb-src http://source.example/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/k.gpg] http://classic.example/debian bookworm main\n"
    )
    assert mirror_from_sources_list(text, "bookworm") == "http://classic.example/debian"


def test_the_init_script_quotes_paths_and_listens_on_loopback(tmp_path: Path) -> None:
    root = tmp_path / "a lab" / "root"
    boot = HostBoot("lab-01", 40022, root, tmp_path / "boots/1", tmp_path / "control", True)
    script = render_init_script(boot)
    assert f"M='{root}'" in script
    assert "-p 40022 -o ListenAddress=127.0.0.1" in script
    assert 'mknod -m 0666 "$M/dev/nvidia0" c 195 0' in script
    without_gpu = render_init_script(HostBoot("lab-01", 40022, root, root, root, False))
    assert "nvidia0" not in without_gpu


@pytest.mark.parametrize(("name", "port"), [("lab-01; rm -rf /", 22), ("lab-01", 0)])
def test_the_init_script_refuses_bad_names_and_ports(name: str, port: int) -> None:
    with pytest.raises(ValueError, match="invalid host name or port"):
        render_init_script(HostBoot(name, port, Path("/m"), Path("/b"), Path("/c"), False))


def test_the_inventory_names_hosts_key_known_hosts_and_mirror(tmp_path: Path) -> None:
    paths = LabPaths.at(tmp_path / ".lab")
    record = ProcessRecord(pid=1, start_time=1)
    state = LabState(
        hosts={
            "lab-02": HostRecord(name="lab-02", port=40002),
            "lab-01": HostRecord(name="lab-01", port=40001),
        },
        mirror=MirrorRecord(
            port=41000, process=record, apt_source="deb [trusted=yes] http://127.0.0.1:41000/apt ./"
        ),
    )
    written = write_inventory(tmp_path / "inventories/sandbox/hosts.yaml", paths, state)
    document = yaml.safe_load(written.read_text())
    assert list(document["all"]["children"]["gpu"]["hosts"]) == ["lab-01", "lab-02"]
    assert document["all"]["children"]["gpu"]["hosts"]["lab-02"]["ansible_port"] == 40002
    assert document["all"]["children"]["gpu"]["hosts"]["lab-01"][
        "ansible_ssh_private_key_file"
    ] == str(paths.client_key)
    assert Path(
        document["all"]["children"]["gpu"]["hosts"]["lab-01"]["provision_known_hosts"]
    ).is_absolute()
    assert document["all"]["vars"]["lab_mirror_url"] == "http://127.0.0.1:41000"
    assert document["all"]["vars"]["lab_mirror_apt_source"].endswith("/apt ./")


def test_sshd_log_counts_exec_and_subsystem_requests() -> None:
    log = (
        'Connection from 127.0.0.1 port 50000 on 127.0.0.1 port 40001 rdomain ""\n'
        "Accepted publickey for root from 127.0.0.1 port 50000 ssh2: ED25519 SHA256:x\n"
        "Starting session: command for root from 127.0.0.1 port 50000 id 0\n"
        "Starting session: subsystem 'sftp' for ops from 127.0.0.1 port 50001 id 0\n"
        "Starting session: shell on pts/0 for dev from 127.0.0.1 port 50002 id 0\n"
        "Starting session: command on pts/1 for dev from 127.0.0.1 port 50003 id 0\n"
    )
    counts = count_sessions(log)
    assert (counts.connections, counts.exec_requests, counts.subsystem_requests) == (1, 2, 1)
    assert counts.exec_requests_by_user == {"root": 1, "dev": 1}


def test_a_process_record_outlives_neither_its_process_nor_a_reused_pid() -> None:
    child = subprocess.Popen(["sleep", "60"])
    record = record_process(child.pid)
    assert is_running(record)
    assert not is_running(ProcessRecord(pid=child.pid, start_time=record.start_time + 1))
    stop_process(record, grace=5)
    child.wait(timeout=5)
    assert not is_running(record)


def run_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "provision", "lab", *arguments],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_bad_host_counts_are_usage_errors() -> None:
    result = run_cli("up", "--hosts", "0", "--dir", "/nonexistent-lab")
    assert result.returncode == 2 and "--hosts" in result.stderr


def test_a_non_root_user_gets_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(EnvironmentNotSupportedError, match="needs root") as raised:
        cli.main(["lab", "up", "--dir", str(tmp_path / "lab")], standalone_mode=False)
    assert raised.value.exit_code == 2
    assert not (tmp_path / "lab").exists()


def test_a_missing_tool_names_its_apt_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        control_node, "find_tool", lambda name: None if name == "debootstrap" else "/bin/true"
    )
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(EnvironmentNotSupportedError) as raised:
        control_node.check_control_node()
    assert raised.value.message.endswith("apt-get install debootstrap")


def test_lab_tests_skip_outside_ci_and_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pytest_plugin, "lab_unavailable_reason", lambda: "not root")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="sandbox lab unavailable: not root"):
        pytest_plugin.require_lab()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="lab test cannot run in CI: not root"):
        pytest_plugin.require_lab()


@pytest.mark.parametrize("gpu", ["", "NVIDIA\nA100", "x" * 97])
def test_a_bad_gpu_name_is_an_input_error(gpu: str, tmp_path: Path) -> None:
    result = run_cli("up", "--gpu", gpu, "--dir", str(tmp_path / "lab"))
    assert result.returncode == 2
    assert "--gpu must be a printable GPU model name" in result.stderr
    assert not (tmp_path / "lab").exists()
