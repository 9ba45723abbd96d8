"""Where CUDA lives on a host, defined once for the desired state, the facts and the
resources: `/usr/local/cuda-X.Y` folders side by side, `/usr/local/cuda` linking the
active one (its packages' names are `provision.packaging.cuda_names`')."""

from __future__ import annotations

ACTIVE_CUDA_LINK = "/usr/local/cuda"
"""The link to the active toolkit, which provision points itself: never an install folder."""

TOOLKIT_FOLDER_PREFIX = "/usr/local/cuda-"


def toolkit_folder(release: str) -> str:
    """`/usr/local/cuda-11.8` for release 11.8: where apt installs it, and the default."""
    return f"{TOOLKIT_FOLDER_PREFIX}{release}"
