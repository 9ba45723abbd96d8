"""SshConnection against a real OpenSSH server on loopback: host keys are checked, every
kind of unreachable host gets its reason, one connection serves many commands."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from private_sshd import PrivateSshd, free_port

from provision.connection import HostUnreachable, UnreachableReason
from provision.connection import ssh as ssh_module
from provision.connection.settings import HostConnection, JumpHost
from provision.connection.ssh import SshConnection, SshSettings


@pytest.fixture(autouse=True)
def isolated_user_known_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ssh_module, "USER_KNOWN_HOSTS", tmp_path / "user_known_hosts")


_SSH_OPTIONS = ("accept_new_host_keys", "connect_timeout", "jumps")


def settings(server: PrivateSshd, **overrides: Any) -> SshSettings:
    fields: dict[str, Any] = {
        "name": "box", "host": "127.0.0.1", "port": server.port, "user": "root",
        "key_file": server.client_key, "connect_timeout": 5.0,
    }  # fmt: skip
    fields.update(overrides)
    options = {key: fields.pop(key) for key in _SSH_OPTIONS if key in fields}
    return SshSettings(HostConnection(**fields), **options)


def reason_of(connection: SshConnection) -> HostUnreachable:
    with pytest.raises(HostUnreachable) as raised:
        connection.run("true")
    connection.close()
    return raised.value


def test_commands_share_one_connection(private_sshd: PrivateSshd, tmp_path: Path) -> None:
    known = private_sshd.known_hosts(tmp_path / "known_hosts")
    before = private_sshd.accepted_logins()
    connection = SshConnection(settings(private_sshd, known_hosts=known))
    try:
        results = [connection.run(f"echo {n}; cat", stdin=b"in") for n in range(5)]
        failing = connection.run("printf oops >&2; exit 3")
        with_env = connection.run('printf %s "$V"', env={"V": "$(id) `id`"})
        as_root = connection.run("id -u", sudo=True)
    finally:
        connection.close()
    assert [r.stdout for r in results] == [f"{n}\nin".encode() for n in range(5)]
    assert (failing.exit_code, failing.stderr) == (3, b"oops")
    assert with_env.stdout == b"$(id) `id`"
    assert as_root.stdout == b"0\n"
    assert private_sshd.accepted_logins() - before == 1


def test_upload_over_ssh(private_sshd: PrivateSshd, tmp_path: Path) -> None:
    known = private_sshd.known_hosts(tmp_path / "known_hosts")
    target = tmp_path / "uploaded file"
    connection = SshConnection(settings(private_sshd, known_hosts=known))
    try:
        connection.upload(b"\x00\xffbinary", str(target), mode=0o640)
    finally:
        connection.close()
    assert target.read_bytes() == b"\x00\xffbinary"
    assert target.stat().st_mode & 0o777 == 0o640


def test_an_unknown_host_key_is_refused_by_default(
    private_sshd: PrivateSshd, tmp_path: Path
) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    error = reason_of(SshConnection(settings(private_sshd, known_hosts=empty)))
    assert error.reason is UnreachableReason.HOST_KEY_UNKNOWN
    assert "not in known_hosts" in error.message and "host 'box'" in error.message
    assert empty.read_text() == ""


def test_accept_new_trusts_and_records_a_new_key(private_sshd: PrivateSshd, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    first = SshConnection(settings(private_sshd, known_hosts=known, accept_new_host_keys=True))
    try:
        assert first.run("true").ok
    finally:
        first.close()
    assert known.read_text().split() == [
        f"[127.0.0.1]:{private_sshd.port}",
        *private_sshd.host_key_line.split(),
    ]
    strict = SshConnection(settings(private_sshd, known_hosts=known))
    try:
        assert strict.run("true").ok
    finally:
        strict.close()


def test_a_changed_host_key_is_refused_even_with_accept_new(
    private_sshd: PrivateSshd, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    ssh_module_keygen(other)
    key_type, key = other.with_suffix(".pub").read_text().split()[:2]
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{private_sshd.port} {key_type} {key}\n")
    error = reason_of(
        SshConnection(settings(private_sshd, known_hosts=known, accept_new_host_keys=True))
    )
    assert error.reason is UnreachableReason.HOST_KEY_MISMATCH
    assert "changed" in error.message


def ssh_module_keygen(path: Path) -> None:
    import subprocess

    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


def test_a_refused_key_is_an_auth_failure(private_sshd: PrivateSshd, tmp_path: Path) -> None:
    known = private_sshd.known_hosts(tmp_path / "known_hosts")
    stranger = tmp_path / "stranger"
    ssh_module_keygen(stranger)
    error = reason_of(SshConnection(settings(private_sshd, known_hosts=known, key_file=stranger)))
    assert error.reason is UnreachableReason.AUTH


def test_a_closed_port_is_refused(private_sshd: PrivateSshd) -> None:
    error = reason_of(SshConnection(settings(private_sshd, port=free_port())))
    assert error.reason is UnreachableReason.REFUSED


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_silent_host_times_out(private_sshd: PrivateSshd, silent_server: int) -> None:
    error = reason_of(SshConnection(settings(private_sshd, port=silent_server, connect_timeout=1)))
    assert error.reason is UnreachableReason.TIMEOUT


def test_an_unknown_name_is_a_dns_failure(private_sshd: PrivateSshd) -> None:
    try:
        socket.getaddrinfo("no-such-host.invalid", 22)
    except socket.gaierror:
        pass
    else:
        pytest.skip("this resolver answers for .invalid")
    error = reason_of(SshConnection(settings(private_sshd, host="no-such-host.invalid")))
    assert error.reason is UnreachableReason.DNS


def test_proxy_jump_through_a_gateway(private_sshd: PrivateSshd, tmp_path: Path) -> None:
    known = private_sshd.known_hosts(tmp_path / "known_hosts")
    before = private_sshd.accepted_logins()
    jump = JumpHost("127.0.0.1", private_sshd.port, "root")
    connection = SshConnection(settings(private_sshd, known_hosts=known, jumps=(jump,)))
    try:
        assert connection.run("echo through").stdout == b"through\n"
    finally:
        connection.close()
    assert private_sshd.accepted_logins() - before == 2


def test_a_dropped_connection_fails_the_running_command_and_the_next_one_reconnects(
    private_sshd: PrivateSshd, tmp_path: Path
) -> None:
    known = private_sshd.known_hosts(tmp_path / "known_hosts")
    connection = SshConnection(settings(private_sshd, known_hosts=known))
    before = private_sshd.accepted_logins()
    try:
        assert connection.run("true").ok
        transport = connection._fabric.transport
        threading.Timer(0.5, transport.close).start()
        with pytest.raises(HostUnreachable) as raised:
            connection.run("sleep 20", timeout=30)
        assert raised.value.reason is UnreachableReason.DISCONNECTED
        assert connection.run("echo again").stdout == b"again\n"
    finally:
        connection.close()
    assert private_sshd.accepted_logins() - before == 2


def test_the_login_user_is_resolved_once_not_on_every_can_become(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []
    original = ssh_module._fabric_connection

    def counting(settings: SshSettings, host: str, *arguments: Any) -> Any:
        built.append(host)
        return original(settings, host, *arguments)

    monkeypatch.setattr(ssh_module, "_fabric_connection", counting)
    connection = SshConnection(SshSettings(HostConnection(name="box", host="127.0.0.1")))
    answers = {connection.can_become for _ in range(5)}
    assert len(answers) == 1 and built == ["127.0.0.1"]
    named = SshConnection(SshSettings(HostConnection(name="b", host="127.0.0.1", user="root")))
    assert named.can_become and built == ["127.0.0.1"]


def test_nagles_algorithm_is_off_on_the_connection(
    private_sshd: PrivateSshd, tmp_path: Path
) -> None:
    """Nagle held each small SSH packet for the peer's delayed ACK (about 40 ms a round trip)."""
    known = private_sshd.known_hosts(tmp_path / "known_hosts")
    connection = SshConnection(settings(private_sshd, known_hosts=known))
    try:
        connection.run("true")
        sock = connection._fabric.transport.sock
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        connection.close()


def test_known_hosts_are_parsed_once_while_unchanged(
    private_sshd: PrivateSshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = private_sshd.known_hosts(tmp_path / "known_hosts")
    loads: list[str] = []
    original_load = ssh_module.paramiko.HostKeys.load

    def counting_load(self: Any, filename: str) -> None:
        loads.append(filename)
        original_load(self, filename)

    monkeypatch.setattr(ssh_module.paramiko.HostKeys, "load", counting_load)
    monkeypatch.setattr(ssh_module, "_parsed_known_hosts", {})

    def run_on_a_new_connection() -> None:
        connection = SshConnection(settings(private_sshd, known_hosts=known))
        try:
            assert connection.run("true").ok
        finally:
            connection.close()

    run_on_a_new_connection()
    run_on_a_new_connection()
    assert loads == [str(known)]
    with known.open("a") as file:
        file.write("# a line added by the user\n")
    run_on_a_new_connection()
    assert loads == [str(known), str(known)]


class _ChannelAtEndOfOutput:
    """A channel whose output ended: readable for select forever, exit status pending."""

    eof_received = True

    def __init__(self) -> None:
        self.status_event = threading.Event()
        self.waits: list[float] = []
        original_wait = self.status_event.wait

        def wait(timeout: float | None = None) -> bool:
            self.waits.append(timeout or 0.0)
            return original_wait(0)

        self.status_event.wait = wait  # type: ignore[method-assign]

    def recv_ready(self) -> bool:
        return False

    def recv_stderr_ready(self) -> bool:
        return False

    def fileno(self) -> int:
        raise AssertionError("select on a channel at end of output returns at once: a busy loop")


def test_waiting_for_the_exit_status_does_not_spin_on_select() -> None:
    stream = ssh_module._ChannelStream.__new__(ssh_module._ChannelStream)
    channel = _ChannelAtEndOfOutput()
    stream._channel = channel
    assert stream.receive(0.25) == (b"", b"")
    assert channel.waits == [0.25]
