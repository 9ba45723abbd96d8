"""Which CUDA toolkits NVIDIA's repository for each distribution carries.

Refusing at plan time what a repository does not carry keeps a host from being half
changed by an `apt-get install` that can only fail. Only what a public source shows is
refused: a repository whose first release we could not confirm refuses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from provision.models.versions import version_key
from provision.packaging.distributions import Distribution


@dataclass(frozen=True)
class ToolkitRange:
    """The first toolkit release an NVIDIA repository carries, and where that is shown."""

    first: str
    source: str


FIRST_TOOLKIT: dict[str, ToolkitRange] = {
    "ubuntu2404": ToolkitRange(
        "12.5",
        "Jimver/cuda-toolkit#375: 11.0.1, 11.5.0, 12.0.0 and 12.4.1 are not in ubuntu2404, "
        "12.5.0 is; the repository's key is dated 2024-05-06",
    ),
    "debian12": ToolkitRange(
        "12.3",
        "the debian12/x86_64 index: its first toolkit is cuda-12-3_12.3.0-1 (2023-10-16)",
    ),
}
"""ubuntu2004 and ubuntu2204 carry 11.x and 12.x but their first release is UNCONFIRMED
(ubuntu2204 has no 11.4: Jimver/cuda-toolkit#183), so nothing is refused there."""


def toolkit_unavailable(distribution: Distribution, release: str) -> str | None:
    """Why NVIDIA's repository for `distribution` cannot install CUDA `release` from apt,
    naming the nearest release it has; None when it can (or we cannot tell)."""
    known = FIRST_TOOLKIT.get(distribution.nvidia_repository)
    if known is None or version_key(release) >= version_key(known.first):
        return None
    return (
        f"NVIDIA's {distribution.nvidia_repository} repository ({distribution.name}) carries "
        f"no CUDA {release}: its first toolkit is {known.first}; install CUDA {release} "
        "with source runfile, as the notes do"
    )
