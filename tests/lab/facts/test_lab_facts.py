"""Facts of real lab hosts over real SSH: as root, as `ops` (passwordless sudo) and as
`dev` (sudo with a password), one remote command per gathering (counted in the host's
sshd log), and unreachable hosts reported with their reason while the others report."""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from pathlib import Path

import pytest

from provision.cli.facts import gather_all
from provision.connection import BecomeError, Connection
from provision.connection.settings import HostConnection
from provision.facts import Facts, FactsRequest, gather_facts
from provision.host_connections import open_connection
from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner, wait_for_new_boot
from provision_lab.sshd_log import read_session_counts

pytestmark = pytest.mark.lab

REQUEST = FactsRequest(users=("root", "ops", "dev"), conda_prefix="/opt/conda",
                       libtorch_path="/opt/libtorch")  # fmt: skip
DEBIAN_DRIVER_SET = (
    "nvidia-driver", "nvidia-driver-libs", "nvidia-driver-bin", "nvidia-alternative",
    "nvidia-kernel-dkms", "nvidia-kernel-support", "firmware-nvidia-gsp", "nvidia-smi",
    "libcuda1", "libnvidia-ml1",
)  # fmt: skip
"""Debian's binaries of the driver's source package, as NVIDIA's debian12 repository has them."""


def connect(host: LabHost, user: str = "root", **overrides: object) -> Connection:
    fields: dict[str, object] = {
        "name": host.name, "host": "127.0.0.1", "port": host.port, "user": user,
        "key_file": host.paths.client_key, "become": user != "root",
        "known_hosts": host.paths.known_hosts,
    }  # fmt: skip
    fields.update(overrides)
    variables = {"provision_become_password_file": str(host.paths.dev_password)}
    return open_connection(HostConnection.model_validate(fields), variables)


def gather(host: LabHost, user: str = "root", **overrides: object) -> Facts:
    connection = connect(host, user, **overrides)
    try:
        return gather_facts(connection, REQUEST)
    finally:
        connection.close()


def assert_fresh(facts: Facts, boot_id: str) -> None:
    assert facts.complete
    assert (facts.os.id, facts.os.version_id) == ("debian", "12")
    assert facts.kernel.boot_id == boot_id
    assert facts.kernel.nouveau.loaded is True
    assert not facts.kernel.nouveau.blacklisted
    assert facts.nvidia.packages == () and facts.nvidia.module_files == ()
    assert facts.nvidia.loaded_module_version is None and facts.nvidia.gpus == ()
    assert facts.cuda.toolkits == () and facts.cuda.active_path is None
    assert facts.cudnn.system == () and facts.cudnn.packages == ()
    assert facts.conda is not None and not facts.conda.exists
    assert facts.libtorch is not None and not facts.libtorch.exists
    assert not facts.apt.lock_held
    homes = {user.user: user.home for user in facts.shell}
    assert homes == {"root": "/root", "ops": "/home/ops", "dev": "/home/dev"}


@pytest.mark.parametrize("user", ["root", "ops", "dev"])
def test_a_fresh_host_as_each_user_in_one_remote_command(
    fresh_host: LabHost, ssh: SshRunner, user: str
) -> None:
    boot_id = ssh(fresh_host, "cat /proc/sys/kernel/random/boot_id").stdout.strip()
    log = fresh_host.paths.host(fresh_host.name).sshd_log
    before = read_session_counts(log)
    started = time.monotonic()
    facts = gather(fresh_host, user)
    elapsed = time.monotonic() - started
    after = read_session_counts(log)
    print(f"\nfacts of {fresh_host.name} as {user}: {elapsed * 1000:.0f} ms "
          "(connect + one command)")  # fmt: skip
    assert_fresh(facts, boot_id)
    assert facts.gathered_as_root
    assert after.connections - before.connections == 1
    assert after.exec_requests - before.exec_requests == 1
    assert after.exec_requests_by_user.get(user, 0) - before.exec_requests_by_user.get(user, 0) == 1


def test_a_reused_connection_gathers_in_one_command_each(fresh_host: LabHost) -> None:
    connection = connect(fresh_host)
    log = fresh_host.paths.host(fresh_host.name).sshd_log
    try:
        gather_facts(connection, REQUEST)
        before = read_session_counts(log)
        started = time.monotonic()
        gather_facts(connection, REQUEST)
        elapsed = time.monotonic() - started
    finally:
        connection.close()
    after = read_session_counts(log)
    print(f"\nfacts of {fresh_host.name} on an open connection: {elapsed * 1000:.0f} ms")
    assert (after.exec_requests - before.exec_requests, after.connections - before.connections) == (
        1, 0,
    )  # fmt: skip


def test_dev_without_become_gathers_as_itself(fresh_host: LabHost) -> None:
    facts = gather(fresh_host, "dev", become=False)
    assert facts.complete and not facts.gathered_as_root
    assert facts.kernel.nouveau.loaded is True


def test_a_wrong_sudo_password_is_refused_without_showing_it(
    fresh_host: LabHost, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "not-the-password-$(id)"
    monkeypatch.setenv("PROVISION_BECOME_PASSWORD", wrong)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(BecomeError) as raised:
        gather(fresh_host, "dev")
    assert "rejected" in raised.value.message and wrong not in raised.value.message
    assert wrong not in caplog.text


def test_real_sudo_passes_stdin_after_the_password(fresh_host: LabHost, ssh: SshRunner) -> None:
    connection = connect(fresh_host, "dev")
    try:
        connection.upload(b"uploaded as dev\n", "/etc/provision-test.conf", owner="ops", mode=0o640)
    finally:
        connection.close()
    listing = ssh(
        fresh_host, "stat -c '%U %a' /etc/provision-test.conf; cat /etc/provision-test.conf"
    )
    assert listing.stdout == "ops 640\nuploaded as dev\n"


def test_unreachable_hosts_are_reported_while_the_others_report(
    lab: RunningLab, fresh_host: LabHost, tmp_path: Path
) -> None:
    stranger = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    empty_known_hosts = tmp_path / "known_hosts"
    empty_known_hosts.write_text("")
    connections = [
        connect(fresh_host),
        connect(fresh_host, name="down", port=closed_port()),
        connect(fresh_host, name="refused-key", key_file=stranger),
        connect(fresh_host, name="unknown-key", known_hosts=empty_known_hosts),
    ]
    reports = {report.name: report for report in gather_all(connections, REQUEST, forks=4)}
    good = reports[fresh_host.name]
    assert good.facts is not None and good.error is None
    assert (reports["down"].reason, reports["refused-key"].reason,
            reports["unknown-key"].reason) == ("refused", "auth", "host-key-unknown")  # fmt: skip
    for name in ("down", "refused-key", "unknown-key"):
        assert f"host '{name}' unreachable" in (reports[name].error or "")
    assert empty_known_hosts.read_text() == ""


def closed_port() -> int:
    """A loopback port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def reboot(ssh: SshRunner, host: LabHost) -> None:
    before = ssh(host, "cat /proc/sys/kernel/random/boot_id").stdout.strip()
    ssh(host, "reboot", check=False)
    wait_for_new_boot(host, before)


def test_driver_and_cuda_from_the_mirror_then_reboot_then_upgrade(
    lab: RunningLab, fresh_host: LabHost, ssh: SshRunner
) -> None:
    mirror = lab.state().mirror
    assert mirror is not None, "the lab runs no mirror server"
    ssh(fresh_host, f"echo '{mirror.apt_source}' > /etc/apt/sources.list.d/lab-mirror.list")
    ssh(fresh_host, "apt-get update -q", timeout=300)
    install = "DEBIAN_FRONTEND=noninteractive apt-get install -y -q"
    # NVIDIA's cuda-toolkit-X-Y pulls no driver, and a driver's parts are pinned to one point
    # release only when each is named at it (the mirror has 535.154.05 and 535.161.07).
    driver_set = " ".join(f"{name}=535.154.05-1" for name in DEBIAN_DRIVER_SET)
    ssh(fresh_host, f"{install} cuda-toolkit-11-8 {driver_set}", timeout=300)

    installed = gather(fresh_host)
    assert installed.nvidia.driver_branch == "535"
    assert installed.nvidia.installed_module_version == "535.154.05"
    assert installed.nvidia.loaded_module_version is None
    assert installed.kernel.nouveau.loaded is True
    assert [(t.path, t.release) for t in installed.cuda.toolkits] == [
        ("/usr/local/cuda-11.8", "11.8")
    ]
    assert installed.cuda.package_releases == ("11.8",)

    ssh(fresh_host, "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' "
                    "> /etc/modprobe.d/blacklist-nouveau.conf && update-initramfs -u")  # fmt: skip
    blacklisted = gather(fresh_host)
    assert blacklisted.kernel.nouveau.blacklisted and blacklisted.kernel.nouveau.initramfs_fresh
    kept = connect(fresh_host)
    assert gather_facts(kept, REQUEST).kernel.boot_id == installed.kernel.boot_id
    reboot(ssh, fresh_host)

    booted = gather_facts(kept, REQUEST)
    kept.close()
    assert booted.kernel.boot_id != installed.kernel.boot_id
    assert booted.kernel.nouveau.loaded is False
    assert booted.nvidia.loaded_module_version == "535.154.05"
    assert booted.nvidia.mismatch is False
    assert len(booted.nvidia.gpus) >= 1 and booted.nvidia.gpus[0].name

    ssh(fresh_host, f"{install} nvidia-driver", timeout=300)
    upgraded = gather(fresh_host)
    assert upgraded.nvidia.installed_module_version != "535.154.05"
    assert upgraded.nvidia.loaded_module_version == "535.154.05"
    assert upgraded.nvidia.mismatch is True
