"""Where every artifact comes from: NVIDIA's, PyTorch's and conda's official URLs by default.

Each URL can be overridden to point at an internal or air-gapped mirror.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provision.models.base import StateModel
from provision.models.versions import AptSourceLine, CondaChannel, Url

NVIDIA_APT_BASE = "https://developer.download.nvidia.com/compute/cuda/repos"
NVIDIA_CUDA_RUNFILE_BASE = "https://developer.download.nvidia.com/compute/cuda"
NVIDIA_DRIVER_RUNFILE_BASE = "https://download.nvidia.com/XFree86/Linux-x86_64"
CUDNN_TARBALL_BASE = "https://developer.download.nvidia.com/compute/cudnn/redist/cudnn/linux-x86_64"
PYTORCH_WHEEL_INDEX = "https://download.pytorch.org/whl"
LIBTORCH_BASE = "https://download.pytorch.org/libtorch"
MINIFORGE_URL = (
    "https://github.com/conda-forge/miniforge/releases/latest/download/Miniforge3-Linux-x86_64.sh"
)
MINICONDA_URL = "https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh"


class Sources(StateModel):
    """Download locations; defaults are the vendors' official ones."""

    nvidia_apt_base: Url = Field(
        NVIDIA_APT_BASE,
        description="Base of NVIDIA's CUDA apt repositories; <base>/<distro>/x86_64/ is added "
        "with NVIDIA's keyring.",
    )
    apt_repository: AptSourceLine | None = Field(
        None,
        description="A whole apt source line used instead of NVIDIA's repository, for a "
        "mirror, e.g. 'deb [trusted=yes] http://127.0.0.1:8080/apt ./'.",
    )
    driver_runfile_base: Url = Field(
        NVIDIA_DRIVER_RUNFILE_BASE,
        description="Base of driver runfiles: <base>/<version>/NVIDIA-Linux-x86_64-<version>.run.",
    )
    cuda_runfile_base: Url = Field(
        NVIDIA_CUDA_RUNFILE_BASE,
        description="Base of CUDA toolkit runfiles: <base>/<X.Y.Z>/local_installers/.",
    )
    cudnn_tarball_base: Url = Field(
        CUDNN_TARBALL_BASE,
        description="Base of cuDNN redist tarballs "
        "(cudnn-linux-x86_64-<version>_cuda<major>-archive.tar.xz).",
    )
    pytorch_wheel_index: Url = Field(
        PYTORCH_WHEEL_INDEX,
        description="Base of PyTorch's per-variant pip indexes: <base>/<variant> "
        "(cu118, cpu, ...).",
    )
    pip_index_url: Url | None = Field(
        None,
        description="A pip index used instead of <pytorch_wheel_index>/<variant>, for a mirror.",
    )
    pip_extra_index_urls: tuple[Url, ...] = Field(
        (), description="Extra pip indexes searched as well (pip --extra-index-url)."
    )
    libtorch_base: Url = Field(
        LIBTORCH_BASE,
        description="Base of libtorch archives: <base>/<variant>/libtorch-...zip.",
    )
    miniforge_installer_url: Url = Field(MINIFORGE_URL, description="Miniforge installer script.")
    miniconda_installer_url: Url = Field(MINICONDA_URL, description="Miniconda installer script.")
    conda_channels: tuple[CondaChannel, ...] = Field(
        ("pytorch", "nvidia"),
        description="Channels (names or URLs) for the conda route, highest priority first, "
        "as the notes' `-c pytorch -c nvidia`.",
    )

    def conda_installer_url(self, installer: Literal["miniforge", "miniconda"]) -> str:
        """The installer script URL for the chosen installer."""
        if installer == "miniforge":
            return self.miniforge_installer_url
        return self.miniconda_installer_url

    def pytorch_index_url(self, variant: str) -> str:
        """The pip index for a PyTorch build variant: the override, or <index>/<variant>."""
        return self.pip_index_url or join_url(self.pytorch_wheel_index, variant)

    def cudnn_tarball_url(self, version: str, cuda_major: str) -> str:
        """NVIDIA's redist tarball of cuDNN `version` for CUDA `cuda_major`."""
        name = f"cudnn-linux-x86_64-{version}_cuda{cuda_major}-archive.tar.xz"
        return join_url(self.cudnn_tarball_base, name)


def join_url(base: str, *parts: str) -> str:
    """`base` and path parts joined with single slashes."""
    return "/".join([base.rstrip("/"), *(part.strip("/") for part in parts)])
