"""`provision verify`: assert, with pytest and testinfra, that hosts are in their desired state."""

from provision.check import Check
from provision.verify.checks import derive_checks
from provision.verify.runner import VerifyOptions, VerifyResult, verify_hosts

__all__ = ["Check", "VerifyOptions", "VerifyResult", "derive_checks", "verify_hosts"]
