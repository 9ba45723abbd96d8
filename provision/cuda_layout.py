"""Where CUDA lives on a host and what its packages are called, defined once for the
desired state, the facts and the resources: `/usr/local/cuda-X.Y` folders side by side,
`/usr/local/cuda` linking the active one, and NVIDIA's `cuda-toolkit-X-Y` packages."""

from __future__ import annotations

import re

ACTIVE_CUDA_LINK = "/usr/local/cuda"
"""The link to the active toolkit, which provision points itself: never an install folder."""

TOOLKIT_FOLDER_PREFIX = "/usr/local/cuda-"

_TOOLKIT_PACKAGE = re.compile(r"cuda-toolkit-(\d+)-(\d+)")


def toolkit_folder(release: str) -> str:
    """`/usr/local/cuda-11.8` for release 11.8: where apt installs it, and the default."""
    return f"{TOOLKIT_FOLDER_PREFIX}{release}"


def release_suffix(release: str) -> str:
    """`11-8` for release 11.8, as NVIDIA's per-release package names end."""
    return release.replace(".", "-")


def toolkit_package(release: str) -> str:
    """`cuda-toolkit-11-8` for release 11.8."""
    return f"cuda-toolkit-{release_suffix(release)}"


def toolkit_package_release(name: str) -> str | None:
    """The release a `cuda-toolkit-X-Y` package installs (None for any other package)."""
    match = _TOOLKIT_PACKAGE.fullmatch(name)
    return f"{match[1]}.{match[2]}" if match else None
