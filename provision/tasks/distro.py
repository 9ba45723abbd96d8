"""The host's distribution as NVIDIA's repositories name it, and its architecture."""

from __future__ import annotations

from provision.facts.model import Facts

# os-release (ID, VERSION_ID) -> the folder of NVIDIA's CUDA repository for it.
NVIDIA_REPOSITORIES: dict[tuple[str, str], str] = {
    ("ubuntu", "20.04"): "ubuntu2004",
    ("ubuntu", "22.04"): "ubuntu2204",
    ("ubuntu", "24.04"): "ubuntu2404",
    ("debian", "12"): "debian12",
}
# dpkg architecture -> the architecture folder of NVIDIA's repository.
NVIDIA_ARCHITECTURES = {"amd64": "x86_64"}


def nvidia_repository(facts: Facts) -> str | None:
    """`ubuntu2204`, `debian12`, ...; None for a distribution this tool does not support."""
    return NVIDIA_REPOSITORIES.get((facts.os.id or "", facts.os.version_id or ""))


def describe_os(facts: Facts) -> str:
    """The OS as a person reads it: PRETTY_NAME, else ID VERSION_ID."""
    return facts.os.pretty_name or f"{facts.os.id or 'unknown'} {facts.os.version_id or ''}".strip()


def unsupported_os_reason(facts: Facts) -> str | None:
    """Why the host's OS or architecture cannot be provisioned, or None when it can."""
    if nvidia_repository(facts) is None:
        supported = ", ".join(f"{name} {version}" for name, version in NVIDIA_REPOSITORIES)
        return f"OS {describe_os(facts)} is not supported (supported: {supported})"
    architecture = facts.kernel.architecture or "amd64"
    if architecture not in NVIDIA_ARCHITECTURES:
        return f"architecture {architecture} is not supported (supported: amd64)"
    return None
