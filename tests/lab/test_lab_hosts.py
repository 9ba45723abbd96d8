"""Each lab host is its own machine: hostname, filesystem, processes; reached over real SSH."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from provision_lab.lab import add_host, remove_host
from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner, ssh_command

pytestmark = pytest.mark.lab


def test_each_host_answers_with_its_own_hostname(lab: RunningLab, ssh: SshRunner) -> None:
    names = {name: ssh(host, "hostname").stdout.strip() for name, host in lab.hosts.items()}
    assert names == {name: name for name in lab.hosts}
    assert sorted(names) == ["lab-01", "lab-02", "lab-03"]


def test_a_file_written_on_one_host_exists_nowhere_else(lab: RunningLab, ssh: SshRunner) -> None:
    marker = f"/root/lab-isolation-{uuid.uuid4().hex}"
    ssh(lab.hosts["lab-01"], f"echo written-on-lab-01 > {marker}")
    assert ssh(lab.hosts["lab-01"], f"cat {marker}").stdout == "written-on-lab-01\n"
    assert ssh(lab.hosts["lab-02"], f"test -e {marker}", check=False).returncode == 1
    assert not Path(marker).exists()


def test_ps_on_a_host_shows_only_that_hosts_processes(lab: RunningLab, ssh: SshRunner) -> None:
    tag = uuid.uuid4().hex[:12]
    ssh(lab.hosts["lab-01"], f"setsid bash -c 'sleep 300; : {tag}' </dev/null >/dev/null 2>&1 &")
    on_first = ssh(lab.hosts["lab-01"], "ps -e -o pid=,args=").stdout
    on_second = ssh(lab.hosts["lab-02"], "ps -e -o pid=,args=").stdout
    assert tag in on_first
    assert tag not in on_second
    first_process = on_second.splitlines()[0].split(None, 1)
    assert first_process[0] == "1" and "sshd" in first_process[1]
    assert str(os.getpid()) not in {line.split()[0] for line in on_second.splitlines()}
    assert "pytest" not in on_second
    ssh(lab.hosts["lab-01"], f"pkill -f ': {tag}'")


def test_hosts_run_the_machines_kernel_release(lab: RunningLab, ssh: SshRunner) -> None:
    release = os.uname().release
    assert ssh(lab.hosts["lab-02"], "uname -r").stdout.strip() == release
    assert ssh(lab.hosts["lab-02"], f"test -d /lib/modules/{release}").returncode == 0


def test_ops_has_passwordless_sudo_and_dev_needs_a_password(
    lab: RunningLab, ssh: SshRunner
) -> None:
    host = lab.hosts["lab-01"]
    assert ssh(host, "sudo -n id -u", user="ops").stdout.strip() == "0"
    refused = ssh(host, "sudo -n id -u", user="dev", check=False)
    assert refused.returncode != 0 and "password is required" in refused.stderr
    password = lab.paths.dev_password.read_text().strip()
    assert oct(lab.paths.dev_password.stat().st_mode & 0o777) == "0o600"
    accepted = ssh(host, f"echo {password} | sudo -S -p '' id -u", user="dev")
    assert accepted.stdout.strip() == "0"


def test_a_stray_download_fails_instead_of_reaching_a_registry(
    lab: RunningLab, ssh: SshRunner
) -> None:
    host = lab.hosts["lab-03"]
    assert ssh(host, "cat /etc/resolv.conf").stdout == ""
    assert ssh(host, "cat /etc/apt/sources.list; ls /etc/apt/sources.list.d").stdout == ""
    stray = ssh(
        host,
        "python3 -m venv /tmp/stray && /tmp/stray/bin/pip install --no-cache-dir six",
        check=False,
    )
    assert stray.returncode != 0
    assert "127.0.0.1:9" in stray.stdout + stray.stderr


def test_an_interactive_login_gets_a_terminal(lab: RunningLab, ssh: SshRunner) -> None:
    result = ssh(lab.hosts["lab-01"], "tty", check=False)
    assert result.stdout.strip() == "not a tty"
    host = lab.hosts["lab-01"]
    argv = ssh_command(host, "tty")
    argv.insert(1, "-tt")
    with_tty = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert with_tty.stdout.strip().startswith("/dev/pts/")


def test_a_fresh_host_is_a_new_overlay_of_the_base_image(lab: RunningLab, ssh: SshRunner) -> None:
    ssh(lab.hosts["lab-01"], "touch /etc/changed-on-lab-01")
    started = time.monotonic()
    name = add_host(lab.paths)
    print(f"fresh host {name} accepted SSH {time.monotonic() - started:.2f} s after add_host")
    try:
        host = LabHost(name, lab.state().hosts[name].port, lab.paths)
        assert ssh(host, "hostname").stdout.strip() == name
        assert ssh(host, "test -e /etc/changed-on-lab-01", check=False).returncode == 1
        keys = lab.paths.known_hosts.read_text().splitlines()
        assert len({line.split()[2] for line in keys}) == len(keys) == len(lab.state().hosts)
    finally:
        remove_host(lab.paths, name)
    assert name not in lab.state().hosts
    assert not lab.paths.host(name).root.exists()
