"""Where every artifact comes from: NVIDIA's, PyTorch's and conda's official URLs by default.

Each URL can be overridden to point at an internal or air-gapped mirror. What the network
between a host and a source can do is bounded here: packages from plain-http indexes and
unsigned apt repositories are accepted only where the state says so in as many words
(`http_indexes_trusted`, `apt_repository_trusted`), a login in a URL only over https and
never for conda channels, and `checksums` gives the sha256 of downloads that have no
sha256 field of their own (a mirror's manifest).
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import Field, field_validator
from pydantic_core.core_schema import ValidationInfo

from provision.credentials import redact, url_login
from provision.models.base import StateModel
from provision.models.versions import AptSourceLine, CondaChannel, Sha256, Url

T = TypeVar("T")

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
    apt_repository_trusted: bool = Field(
        False,
        description="Accept [trusted=yes] in apt_repository: apt then installs the mirror's "
        "packages without checking any signature. Only for a mirror you control on a network "
        "you trust (the sandbox lab's).",
    )
    apt_repository: AptSourceLine | None = Field(
        None,
        description="A whole apt source line used instead of NVIDIA's repository, for a "
        "mirror, e.g. 'deb [signed-by=/etc/apt/keyrings/mirror.gpg] https://mirror/apt ./'. "
        "It names its keyring with signed-by, or says [trusted=yes] together with "
        "apt_repository_trusted.",
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
    http_indexes_trusted: bool = Field(
        False,
        description="Accept pip indexes and conda channels over plain http: their packages "
        "are not signed, so anyone on the network between the host and the index could "
        "replace them. Only for a mirror you control on a network you trust.",
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
    checksums: dict[Url, Sha256] = Field(
        default_factory=dict,
        description="sha256 of downloaded artifacts by URL, used for a download whose own "
        "sha256 field is not set (a mirror can publish its manifest here). A download over "
        "http or from a file URL needs one; over https one is recommended.",
    )

    @field_validator("apt_repository")
    @classmethod
    def _signed_or_trusted(cls, line: str | None, info: ValidationInfo) -> str | None:
        if line is not None:
            _check_apt_trust(line, bool(info.data.get("apt_repository_trusted")))
        return line

    @field_validator("pytorch_wheel_index", "pip_index_url", "pip_extra_index_urls")
    @classmethod
    def _https_index(cls, value: T, info: ValidationInfo) -> T:
        urls = value if isinstance(value, tuple) else (value,)
        for url in urls:
            _check_index(url, bool(info.data.get("http_indexes_trusted")))
        return value

    @field_validator("conda_channels")
    @classmethod
    def _channels(cls, channels: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        for channel in channels:
            if "://" not in channel:
                continue
            _check_index(channel, bool(info.data.get("http_indexes_trusted")))
            if url_login(channel) is not None:
                raise ValueError(
                    f"conda channel {redact(channel)} carries a login, which conda would show: "
                    "use a mirror without one"
                )
        return channels

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


def _check_index(url: object, trusted: bool) -> None:
    """A package index over plain http only where the state trusts such indexes."""
    if isinstance(url, str) and url.startswith("http://") and not trusted:
        raise ValueError(
            f"{redact(url)} is an index over plain http, whose packages anyone on the network "
            "could replace: use https, or set http_indexes_trusted"
        )


def _check_apt_trust(line: str, trusted: bool) -> None:
    """A source line must name its keyring (signed-by), or be unsigned on purpose."""
    options = line.partition("[")[2].partition("]")[0].split() if "[" in line else []
    if "trusted=yes" in options and not trusted:
        raise ValueError(
            "apt_repository says [trusted=yes], so apt would install its packages unsigned: "
            "set apt_repository_trusted to mean it, or name the mirror's key with signed-by"
        )
    if "trusted=yes" not in options and not any(o.startswith("signed-by=") for o in options):
        raise ValueError(
            "apt_repository names no keyring: add [signed-by=/etc/apt/keyrings/<key>.gpg] "
            "(or [trusted=yes] with apt_repository_trusted)"
        )


def join_url(base: str, *parts: str) -> str:
    """`base` and path parts joined with single slashes."""
    return "/".join([base.rstrip("/"), *(part.strip("/") for part in parts)])
