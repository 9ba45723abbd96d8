"""Why an SSH connection failed, in the terms a user would look into (DNS, refused,
timeout, auth, host key), from the exceptions socket and paramiko raise."""

from __future__ import annotations

import errno
import socket

import paramiko

from provision.connection.errors import UnreachableReason


class UnknownHostKeyError(paramiko.SSHException):  # type: ignore[misc]
    """The host's key is in no known_hosts file and accept-new is off."""


def _reason_of_os_error(error: OSError) -> UnreachableReason:
    if isinstance(error, socket.gaierror):
        return UnreachableReason.DNS
    if isinstance(error, TimeoutError | socket.timeout):
        return UnreachableReason.TIMEOUT
    if error.errno == errno.ECONNREFUSED or isinstance(error, ConnectionRefusedError):
        return UnreachableReason.REFUSED
    return UnreachableReason.NETWORK


def classify(error: BaseException) -> tuple[UnreachableReason, str]:
    """The reason and a one-line detail for an error raised while connecting."""
    if isinstance(error, paramiko.ssh_exception.NoValidConnectionsError):
        codes = {inner.errno for inner in error.errors.values()}
        reason = (
            UnreachableReason.REFUSED
            if codes == {errno.ECONNREFUSED}
            else UnreachableReason.NETWORK
        )
        return reason, "connection refused" if reason is UnreachableReason.REFUSED else str(error)
    if isinstance(error, paramiko.BadHostKeyException):
        return UnreachableReason.HOST_KEY_MISMATCH, (
            f"host key changed: got {error.key.get_name()} {error.key.fingerprint}, "
            f"known_hosts has {error.expected_key.fingerprint} (possible impersonation)"
        )
    if isinstance(error, UnknownHostKeyError):
        return UnreachableReason.HOST_KEY_UNKNOWN, str(error)
    if isinstance(error, paramiko.AuthenticationException):
        return UnreachableReason.AUTH, f"authentication failed ({error})"
    if isinstance(error, OSError):
        detail = error.strerror or str(error) or type(error).__name__
        return _reason_of_os_error(error), detail
    if isinstance(error, EOFError | paramiko.SSHException):
        text = str(error) or type(error).__name__
        if "banner" in text.lower() or "timed out" in text.lower():
            return UnreachableReason.TIMEOUT, text
        return UnreachableReason.SSH, text
    return UnreachableReason.SSH, f"{type(error).__name__}: {error}"
