"""A private OpenSSH server on 127.0.0.1 for the SSH connection tests (fixture `private_sshd`).

It runs as root with its own host key, client key and config in a temp folder, logs
verbosely to a file the tests read, and is stopped by its own PID.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from ci_requirements import skip_unless_possible

SSHD = "/usr/sbin/sshd"


@dataclass(frozen=True)
class PrivateSshd:
    port: int
    host_key_line: str
    client_key: Path
    log: Path
    folder: Path

    def known_hosts(self, path: Path) -> Path:
        """Write a known_hosts file that trusts this server."""
        path.write_text(f"[127.0.0.1]:{self.port} {self.host_key_line}\n")
        return path

    def accepted_logins(self) -> int:
        return self.log.read_text().count("Accepted publickey")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True, timeout=30
    )


def _wait_for_banner(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("sshd exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if connection.recv(4).startswith(b"SSH-"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("sshd did not answer within 10 s")


@pytest.fixture(scope="session")
def private_sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateSshd]:
    if os.geteuid() != 0 or not Path(SSHD).exists() or not shutil.which("ssh-keygen"):
        skip_unless_possible(f"needs root, {SSHD} and ssh-keygen")
    folder = tmp_path_factory.mktemp("sshd")
    _keygen(folder / "host_key")
    _keygen(folder / "client_key")
    (folder / "authorized_keys").write_text((folder / "client_key.pub").read_text())
    port = free_port()
    (folder / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder}/host_key\n"
        f"AuthorizedKeysFile {folder}/authorized_keys\nPidFile none\nStrictModes no\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "PermitRootLogin prohibit-password\nLogLevel VERBOSE\nAllowTcpForwarding yes\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)
    log = folder / "sshd.log"
    process = subprocess.Popen(
        [SSHD, "-D", "-f", str(folder / "sshd_config"), "-E", str(log)],
        stdin=subprocess.DEVNULL,
    )
    try:
        _wait_for_banner(port, process)
        host_key = (folder / "host_key.pub").read_text().split()
        yield PrivateSshd(port, f"{host_key[0]} {host_key[1]}", folder / "client_key", log, folder)
    finally:
        process.terminate()
        process.wait(timeout=10)
