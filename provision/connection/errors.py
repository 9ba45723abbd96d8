"""What can go wrong when talking to a host, each error naming the host and the cause."""

from __future__ import annotations

from enum import StrEnum

from provision.errors import ProvisionError


class UnreachableReason(StrEnum):
    """Why a host could not be reached, as a user would look into it."""

    DNS = "dns"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    NETWORK = "network"
    AUTH = "auth"
    HOST_KEY_UNKNOWN = "host-key-unknown"
    HOST_KEY_MISMATCH = "host-key-mismatch"
    DISCONNECTED = "disconnected"
    SSH = "ssh"


class HostUnreachable(ProvisionError):
    """The host could not be connected to (or the connection dropped); exit code 1."""

    def __init__(self, host: str, reason: UnreachableReason, detail: str) -> None:
        super().__init__(f"host '{host}' unreachable ({reason}): {detail}")
        self.host = host
        self.reason = reason
        self.detail = detail


class CommandTimeout(ProvisionError):
    """A command ran past its timeout and was stopped."""

    def __init__(self, host: str, timeout: float, summary: str) -> None:
        super().__init__(f"host '{host}': command timed out after {timeout:g} s: {summary}")
        self.host = host
        self.timeout = timeout


class BecomeError(ProvisionError):
    """sudo did not let the connection user become root (no password, a wrong one, no sudo)."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"host '{host}': cannot become root with sudo: {detail}")
        self.host = host
        self.detail = detail


class UploadError(ProvisionError):
    """A file could not be written on the host."""

    def __init__(self, host: str, path: str, detail: str) -> None:
        super().__init__(f"host '{host}': cannot write {path}: {detail}")
        self.host = host
        self.path = path
