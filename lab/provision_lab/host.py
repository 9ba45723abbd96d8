"""One lab host seen from the control node: its overlay, its files, its supervisor.

`prepare_host` mounts the overlay and personalises it on first use (hostname, host key,
authorized_keys, dev's password); `start_host` starts its supervisor (which boots it);
`wait_until_ready` returns once it accepts SSH; `stop_host` ends it and unmounts it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from provision.errors import ProvisionError
from provision_lab.control_node import require_tool
from provision_lab.host_status import HostConfig, read_status, write_model
from provision_lab.keys import ensure_host_key
from provision_lab.mounts import is_mounted, mount_overlay, unmount_all_under
from provision_lab.paths import HostPaths
from provision_lab.processes import ProcessRecord, is_running, record_process, stop_process

LOGIN_USERS = ("root", "ops", "dev")
READY_TIMEOUT = 60.0
POLL_INTERVAL = 0.02


def _user_ids(root: Path, user: str) -> tuple[int, int, Path]:
    for line in (root / "etc" / "passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2]), int(fields[3]), Path(fields[5])
    raise ProvisionError(f"lab: base image has no user '{user}'")


def _authorize(root: Path, user: str, public_key: str) -> None:
    uid, gid, home = _user_ids(root, user)
    ssh_dir = root / home.relative_to("/") / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    keys = ssh_dir / "authorized_keys"
    keys.write_text(public_key + "\n")
    keys.chmod(0o600)
    for path in (ssh_dir, keys):
        os.chown(path, uid, gid)


def _personalise(paths: HostPaths, name: str, client_key: str, dev_password: str) -> str:
    root = paths.merged
    (root / "etc" / "hostname").write_text(name + "\n")
    (root / "etc" / "hosts").write_text(
        f"127.0.0.1\tlocalhost\n127.0.1.1\t{name}\n::1\tlocalhost ip6-localhost ip6-loopback\n"
    )
    host_key = ensure_host_key(root, name)
    for user in LOGIN_USERS:
        _authorize(root, user, client_key)
    result = subprocess.run(
        [require_tool("chroot"), str(root), "/usr/sbin/chpasswd"],
        input=f"dev:{dev_password}\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ProvisionError(
            f"lab: setting dev's password on {name} failed: {result.stderr.strip()}"
        )
    return host_key


def prepare_host(
    paths: HostPaths, base: Path, config: HostConfig, client_key: str, dev_password: str
) -> str:
    """Mount the host's overlay (personalised on first use); return its public host key."""
    for folder in (paths.upper, paths.work, paths.merged, paths.control / "boot", paths.boots):
        folder.mkdir(parents=True, exist_ok=True)
    if not paths.reboot_fifo.exists():
        os.mkfifo(paths.reboot_fifo, 0o622)
    write_model(paths.config_file, config)
    if not is_mounted(paths.merged):
        mount_overlay(base, paths.upper, paths.work, paths.merged)
    return _personalise(paths, config.name, client_key, dev_password)


def start_host(lab_root: Path, paths: HostPaths, name: str) -> ProcessRecord:
    """Start the host's supervisor (a daemon in its own session); return its record."""
    paths.status_file.unlink(missing_ok=True)
    with paths.supervisor_log.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "provision_lab.supervisor", str(lab_root), name],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    return record_process(process.pid)


def _handshake_key(port: int) -> str | None:
    result = subprocess.run(
        [require_tool("ssh-keyscan"), "-T", "5", "-t", "ed25519", "-p", str(port), "127.0.0.1"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and not line.startswith("#"):
            return f"{fields[1]} {fields[2]}"
    return None


def wait_until_ready(
    paths: HostPaths, config: HostConfig, supervisor: ProcessRecord, host_key: str,
    old_boot_id: str | None = None,
) -> str:  # fmt: skip
    """Wait until the host is up (with a boot id other than `old_boot_id`) and its sshd
    completes a key exchange with the expected host key; return the boot id."""
    name, port = config.name, config.port
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if not is_running(supervisor):
            raise ProvisionError(f"lab: {name}: its supervisor died (see {paths.supervisor_log})")
        status = read_status(paths.status_file)
        if status is not None and status.state == "failed":
            raise ProvisionError(
                f"lab: {name} failed to boot: {status.message} (see {paths.sshd_log})"
            )
        if status is not None and status.state == "up" and status.boot_id != old_boot_id:
            found = _handshake_key(port)
            if found != host_key:
                raise ProvisionError(
                    f"lab: {name} on port {port} answered with key {found}, not its own"
                )
            assert status.boot_id is not None
            return status.boot_id
        time.sleep(POLL_INTERVAL)
    raise ProvisionError(
        f"lab: {name} did not accept SSH within {READY_TIMEOUT:.0f} s (see {paths.sshd_log})"
    )


def stop_host(paths: HostPaths, supervisor: ProcessRecord | None) -> None:
    """Stop the host's supervisor (which powers the host off), then unmount the host.

    Should the supervisor be gone or stuck, the host's recorded unshare and PID 1 are
    killed directly (by record, never by name).
    """
    if supervisor is not None:
        stop_process(supervisor, grace=15.0)
    status = read_status(paths.status_file)
    if status is not None:
        for record in (status.sshd, status.unshare):
            if record is not None:
                stop_process(record, grace=5.0)
    remaining = unmount_all_under(paths.root)
    if remaining:
        raise ProvisionError(f"lab: could not unmount {', '.join(map(str, remaining))}")


def delete_host(paths: HostPaths) -> None:
    """Remove a stopped host's files (refusing while anything is mounted below it)."""
    if unmount_all_under(paths.root):
        raise ProvisionError(f"lab: {paths.root} still has mounts; not deleting it")
    shutil.rmtree(paths.root, ignore_errors=True)
