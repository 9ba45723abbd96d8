"""A reboot (from inside or from `provision lab reboot`) drops sessions, ends every process
and brings the host back with a new boot id."""

from __future__ import annotations

import subprocess
import time

import pytest

from provision_lab.host_status import read_status
from provision_lab.pytest_plugin import LabHost, SshRunner, ssh_command, wait_for_new_boot
from tests.conftest import provision_program

pytestmark = pytest.mark.lab


def boot_id(ssh: SshRunner, host: LabHost) -> str:
    return str(ssh(host, "cat /proc/sys/kernel/random/boot_id").stdout.strip())


def run_reboot_command(ssh: SshRunner, host: LabHost, command: str) -> None:
    """Run a reboot command; as on a real host its own session may drop (exit 255)."""
    assert ssh(host, command, check=False).returncode in (0, 255)


def test_reboot_inside_drops_sessions_ends_processes_and_changes_the_boot_id(
    fresh_host: LabHost, ssh: SshRunner
) -> None:
    before = boot_id(ssh, fresh_host)
    ssh(fresh_host, "setsid sleep 600 </dev/null >/dev/null 2>&1 &")
    session = subprocess.Popen(
        ssh_command(fresh_host, "echo ready; sleep 600"), stdout=subprocess.PIPE, text=True
    )
    assert session.stdout is not None and session.stdout.readline() == "ready\n"
    run_reboot_command(ssh, fresh_host, "reboot")
    assert session.wait(timeout=30) == 255
    after = wait_for_new_boot(fresh_host, before)
    assert boot_id(ssh, fresh_host) == after != before
    assert "sleep" not in ssh(fresh_host, "ps -e -o args=").stdout


@pytest.mark.parametrize("command", ["shutdown -r now", "systemctl reboot"])
def test_other_reboot_commands_reboot_too(
    fresh_host: LabHost, ssh: SshRunner, command: str
) -> None:
    before = boot_id(ssh, fresh_host)
    run_reboot_command(ssh, fresh_host, command)
    assert wait_for_new_boot(fresh_host, before) != before
    assert boot_id(ssh, fresh_host) != before


def test_systemctl_fails_as_in_a_chroot_for_everything_else(
    fresh_host: LabHost, ssh: SshRunner
) -> None:
    result = ssh(fresh_host, "systemctl restart ssh", check=False)
    assert result.returncode == 1
    assert "has not been booted with systemd" in result.stderr


def test_provision_lab_reboot_returns_when_the_host_is_back(
    fresh_host: LabHost, ssh: SshRunner
) -> None:
    before = boot_id(ssh, fresh_host)
    started = time.monotonic()
    result = subprocess.run(
        [provision_program(), "lab", "reboot", fresh_host.name,
         "--dir", str(fresh_host.paths.root)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    print(f"lab reboot took {time.monotonic() - started:.2f} s")
    assert result.returncode == 0, result.stderr
    assert boot_id(ssh, fresh_host) != before
    assert boot_id(ssh, fresh_host) in result.stdout


def test_provision_lab_reboot_no_wait_returns_while_the_host_is_down(
    fresh_host: LabHost, ssh: SshRunner
) -> None:
    before = boot_id(ssh, fresh_host)
    result = subprocess.run(
        [provision_program(), "lab", "reboot", fresh_host.name, "--no-wait",
         "--dir", str(fresh_host.paths.root)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert wait_for_new_boot(fresh_host, before) != before
    status = read_status(fresh_host.paths.host(fresh_host.name).status_file)
    assert status is not None and status.state == "up"


def test_rebooting_an_unknown_host_is_an_input_error(fresh_host: LabHost) -> None:
    result = subprocess.run(
        [provision_program(), "lab", "reboot", "lab-77", "--dir", str(fresh_host.paths.root)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no host 'lab-77'" in result.stderr and "Traceback" not in result.stderr
