"""The host's distribution as NVIDIA's repositories name it, and its architecture."""

from __future__ import annotations

from provision.facts.model import Facts
from provision.packaging.distributions import DISTRIBUTIONS, Distribution, find_distribution

# dpkg architecture -> the architecture folder of NVIDIA's repository.
NVIDIA_ARCHITECTURES = {"amd64": "x86_64"}


def host_distribution(facts: Facts) -> Distribution | None:
    """The supported distribution the host runs; None for any other."""
    return find_distribution(facts.os.id, facts.os.version_id)


def nvidia_repository(facts: Facts) -> str | None:
    """`ubuntu2204`, `debian12`, ...; None for a distribution this tool does not support."""
    found = host_distribution(facts)
    return found.nvidia_repository if found else None


def describe_os(facts: Facts) -> str:
    """The OS as a person reads it: PRETTY_NAME, else ID VERSION_ID."""
    return facts.os.pretty_name or f"{facts.os.id or 'unknown'} {facts.os.version_id or ''}".strip()


def unsupported_os_reason(facts: Facts) -> str | None:
    """Why the host's OS or architecture cannot be provisioned, or None when it can."""
    if nvidia_repository(facts) is None:
        supported = ", ".join(f"{d.family} {d.version_id}" for d in DISTRIBUTIONS)
        return f"OS {describe_os(facts)} is not supported (supported: {supported})"
    architecture = facts.kernel.architecture or "amd64"
    if architecture not in NVIDIA_ARCHITECTURES:
        return f"architecture {architecture} is not supported (supported: amd64)"
    return None
