"""Fixtures of the connection tests."""

from private_sshd import private_sshd

__all__ = ["private_sshd"]
