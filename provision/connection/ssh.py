"""`SshConnection`: commands over one SSH connection per host, built with Fabric.

This and `ssh_errors` are the only modules that import Fabric and paramiko. Fabric's
`Connection` sets up the session (user, port, key file, `~/.ssh/config`, ProxyJump
gateways, connect timeout); commands then run on channels of its transport, so output
stays raw bytes and stdin, timeouts and sudo's password dialog are handled by `exchange`.

Host keys are checked: Fabric's `AutoAddPolicy` (which trusts any key) is replaced by a
policy that rejects an unknown host, against `~/.ssh/known_hosts` plus the inventory's
`provision_known_hosts` file. Accept-new (OpenSSH's `StrictHostKeyChecking=accept-new`)
trusts an unknown host's key on first contact and appends it to that file; a *changed*
key is refused in both modes.
"""

from __future__ import annotations

import os
import select
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fabric
import paramiko

from provision.connection.base import CommandResult
from provision.connection.become import BecomeDialog, PasswordSource
from provision.connection.errors import HostUnreachable, UnreachableReason
from provision.connection.running import run_command, upload_file
from provision.connection.settings import HostConnection, JumpHost
from provision.connection.ssh_errors import UnknownHostKeyError, classify

USER_KNOWN_HOSTS = Path("~/.ssh/known_hosts")
_KNOWN_HOSTS_LOCK = threading.Lock()


@dataclass(frozen=True)
class SshSettings:
    """Everything `SshConnection` needs to reach one host: the inventory's settings
    (`target`) plus the SSH options the factory reads from other host variables."""

    target: HostConnection
    accept_new_host_keys: bool = False
    connect_timeout: float = 10.0
    jumps: tuple[JumpHost, ...] = ()

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def host(self) -> str:
        return self.target.host

    @property
    def port(self) -> int:
        return self.target.port

    @property
    def user(self) -> str | None:
        return self.target.user

    @property
    def key_file(self) -> Path | None:
        return self.target.key_file

    @property
    def become(self) -> bool:
        return self.target.become

    @property
    def known_hosts(self) -> Path | None:
        return self.target.known_hosts


class _RejectUnknownHostKey(paramiko.RejectPolicy):  # type: ignore[misc]
    """paramiko's RejectPolicy, with an error that says which key was refused."""

    def missing_host_key(self, client: Any, hostname: str, key: Any) -> None:
        raise UnknownHostKeyError(
            f"{hostname} is not in known_hosts ({key.get_name()} key "
            f"{key.fingerprint}); add it, or allow accept-new host keys"
        )


class _AcceptNewHostKey(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]
    """Trust an unknown host's key and append it to `known_hosts`, as accept-new does."""

    def __init__(self, known_hosts: Path) -> None:
        self._known_hosts = known_hosts

    def missing_host_key(self, client: Any, hostname: str, key: Any) -> None:
        client.get_host_keys().add(hostname, key.get_name(), key)
        line = f"{hostname} {key.get_name()} {key.get_base64()}\n"
        with _KNOWN_HOSTS_LOCK:
            self._known_hosts.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(self._known_hosts, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, line.encode())
            finally:
                os.close(descriptor)


class _ChannelStream:
    """One command on an SSH channel."""

    def __init__(self, transport: Any, command_line: str) -> None:
        self._channel = transport.open_session(timeout=30)
        self._channel.exec_command(command_line)

    def send(self, data: bytes) -> None:
        self._channel.sendall(data)

    def close_input(self) -> None:
        self._channel.shutdown_write()

    def receive(self, wait: float) -> tuple[bytes, bytes]:
        channel = self._channel
        if not (channel.recv_ready() or channel.recv_stderr_ready()):
            if channel.eof_received:
                # the output is complete; the channel stays readable, so wait for the exit
                # status itself rather than spin on select
                channel.status_event.wait(wait)
            else:
                select.select([channel], [], [], wait)
        stdout = channel.recv(65536) if channel.recv_ready() else b""
        stderr = channel.recv_stderr(65536) if channel.recv_stderr_ready() else b""
        return stdout, stderr

    def finished(self) -> bool:
        channel = self._channel
        if channel.closed and not channel.get_transport().is_active():
            raise EOFError("the SSH connection dropped while a command ran")
        return bool(
            channel.exit_status_ready()
            and channel.eof_received
            and not channel.recv_ready()
            and not channel.recv_stderr_ready()
        )

    def exit_code(self) -> int:
        code = int(self._channel.recv_exit_status())
        self._channel.close()
        return code

    def abort(self) -> None:
        self._channel.close()


class SshConnection:
    """One SSH connection to one host, opened on first use and reused for every command.

    A connection that dropped (the host rebooted) is reopened by the next command; a
    command that was running when it dropped fails with `HostUnreachable(disconnected)`.
    """

    def __init__(self, settings: SshSettings, passwords: PasswordSource | None = None) -> None:
        self._settings = settings
        self._passwords = passwords or PasswordSource()
        self._fabric: Any = None
        self._lock = threading.Lock()
        self._configured_user: str | None = settings.user

    @property
    def name(self) -> str:
        return self._settings.name

    @property
    def can_become(self) -> bool:
        return self._settings.become or self._remote_user() == "root"

    def _remote_user(self) -> str:
        """The login user: the inventory's, else `~/.ssh/config`'s or the local user's as
        Fabric resolves it (worked out once, not on every `can_become`)."""
        if self._fabric is not None:
            return str(self._fabric.user)
        if self._configured_user is None:
            resolved = _fabric_connection(self._settings, self._settings.host)
            self._configured_user = str(resolved.user)
            resolved.close()
        return self._configured_user

    def open(self) -> None:
        """Connect now (otherwise the first command connects); raises HostUnreachable."""
        with self._lock:
            self._transport()

    def _transport(self) -> Any:
        if self._fabric is not None and self._fabric.is_connected:
            return self._fabric.transport
        if self._fabric is not None:
            self._close_fabric()
        connection = _build(self._settings)
        try:
            connection.open()
        except Exception as error:
            connection.close()
            reason, detail = classify(error)
            raise HostUnreachable(self.name, reason, detail) from None
        connection.transport.set_keepalive(15)
        self._fabric = connection
        return connection.transport

    def run(
        self,
        command: str,
        *,
        timeout: float | None = None,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        sudo: bool = False,
    ) -> CommandResult:
        with self._lock:
            transport = self._transport()
            become = None
            if sudo and self._remote_user() != "root":
                become = BecomeDialog(password=lambda: self._passwords.password(self.name))
            try:
                return run_command(
                    self.name,
                    lambda line: _ChannelStream(transport, line),
                    command,
                    timeout=timeout,
                    stdin=stdin,
                    env=env,
                    become=become,
                )
            except (EOFError, paramiko.SSHException, OSError) as error:
                raise HostUnreachable(
                    self.name, UnreachableReason.DISCONNECTED, f"connection lost: {error}"
                ) from None

    def upload(
        self, data: bytes, path: str, *, owner: str | None = None, mode: int = 0o644
    ) -> None:
        upload_file(self.name, self.run, data, path, owner=owner, mode=mode)

    def close(self) -> None:
        with self._lock:
            self._close_fabric()

    def _close_fabric(self) -> None:
        if self._fabric is None:
            return
        self._fabric.close()
        gateway = self._fabric.gateway
        while isinstance(gateway, fabric.Connection):
            gateway.close()
            gateway = gateway.gateway
        self._fabric = None


def _fabric_connection(
    settings: SshSettings,
    host: str,
    port: int | None = None,
    user: str | None = None,
    gateway: Any = None,
) -> Any:
    key_files = [str(settings.key_file)] if settings.key_file else []
    # Fabric rounds the connect timeout to whole seconds; the banner must time out
    # first, or paramiko reports a vague "No existing session" instead of a timeout.
    timeout = max(1, round(settings.connect_timeout))
    connection = fabric.Connection(
        host,
        user=user,
        port=port,
        gateway=gateway if gateway is not None else False,
        connect_timeout=timeout,
        connect_kwargs={
            "key_filename": key_files,
            "look_for_keys": not key_files,
            "banner_timeout": timeout * 0.8,
            "auth_timeout": timeout,
            "transport_factory": _transport_without_delay,
        },
    )
    _check_host_keys(connection.client, settings)
    return connection


def _transport_without_delay(sock: Any, **options: Any) -> Any:
    """paramiko's Transport, on a TCP socket with Nagle's algorithm off: SSH sends many
    small packets and waits for each answer, and Nagle held each one back until the
    peer's delayed ACK (about 40 ms per round trip: handshake, channel, exit status)."""
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return paramiko.Transport(sock, **options)


_parsed_known_hosts: dict[tuple[tuple[str, int, int], ...], Any] = {}


def _known_host_keys(paths: list[Path]) -> Any:
    """The keys of the `paths` known_hosts files, parsed once while they are unchanged and
    shared read-only by every connection: parsing them per host would grow with the
    square of the fleet."""
    versions = []
    for path in paths:
        status = path.stat()
        versions.append((str(path), status.st_mtime_ns, status.st_size))
    version = tuple(versions)
    with _KNOWN_HOSTS_LOCK:
        keys = _parsed_known_hosts.get(version)
        if keys is None:
            keys = paramiko.HostKeys()
            for path in paths:
                keys.load(str(path))
            _parsed_known_hosts.clear()
            _parsed_known_hosts[version] = keys
    return keys


def _check_host_keys(client: Any, settings: SshSettings) -> None:
    user_file = USER_KNOWN_HOSTS.expanduser()
    paths = [path for path in (user_file, settings.known_hosts) if path and path.is_file()]
    if paths:
        # what `load_system_host_keys` fills, without parsing the files again per host
        client._system_host_keys = _known_host_keys(paths)
    if settings.accept_new_host_keys:
        client.set_missing_host_key_policy(_AcceptNewHostKey(settings.known_hosts or user_file))
    else:
        client.set_missing_host_key_policy(_RejectUnknownHostKey())


def _build(settings: SshSettings) -> Any:
    gateway = None
    for jump in settings.jumps:
        gateway = _fabric_connection(settings, jump.host, jump.port, jump.user, gateway)
    return _fabric_connection(settings, settings.host, settings.port, settings.user, gateway)
