"""The lab's SSH material: the client key, each host's key, known_hosts, dev's password."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

from provision.errors import ProvisionError
from provision_lab.control_node import require_tool
from provision_lab.paths import LabPaths

HOST_KEY = Path("etc/ssh/ssh_host_ed25519_key")


def _keygen(path: Path, comment: str) -> None:
    result = subprocess.run(
        [require_tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", comment,
         "-f", str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ProvisionError(f"lab: ssh-keygen for {path} failed: {result.stderr.strip()}")


def ensure_client_key(paths: LabPaths) -> str:
    """The lab client's public key line, generating the key pair on first use."""
    paths.ssh.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not paths.client_key.is_file():
        _keygen(paths.client_key, "provision-lab-client")
    os.chmod(paths.client_key, 0o600)
    return Path(f"{paths.client_key}.pub").read_text().strip()


def ensure_dev_password(paths: LabPaths) -> str:
    """The `dev` user's sudo password, generated once per lab dir (file mode 0600)."""
    paths.ssh.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not paths.dev_password.is_file():
        descriptor = os.open(paths.dev_password, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as password_file:
            password_file.write(secrets.token_urlsafe(18) + "\n")
    return paths.dev_password.read_text().strip()


def ensure_host_key(root: Path, name: str) -> str:
    """The host's own ed25519 public key (`type base64`), generated in its `/etc/ssh`."""
    key = root / HOST_KEY
    if not key.is_file():
        _keygen(key, f"root@{name}")
    kind, body = Path(f"{key}.pub").read_text().split()[:2]
    return f"{kind} {body}"


def write_known_hosts(paths: LabPaths, host_keys: dict[int, str]) -> None:
    """known_hosts holding exactly the given hosts' keys, as `[127.0.0.1]:PORT key`."""
    lines = [f"[127.0.0.1]:{port} {key}\n" for port, key in sorted(host_keys.items())]
    temporary = paths.known_hosts.with_suffix(".tmp")
    temporary.write_text("".join(lines))
    os.replace(temporary, paths.known_hosts)
