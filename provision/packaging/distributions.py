"""The distributions provision supports, as os-release, NVIDIA and the archives name them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["ubuntu", "debian"]


@dataclass(frozen=True)
class Distribution:
    """One supported release: its os-release identity, the folder of NVIDIA's CUDA
    repository built for it, and the version string its own archive's NVIDIA builds carry."""

    family: Family
    version_id: str
    codename: str
    nvidia_repository: str

    @property
    def name(self) -> str:
        """`Ubuntu 24.04`, `Debian 12`: how a person names it in a message."""
        return f"{self.family.capitalize()} {self.version_id}"

    @property
    def archive_revision(self) -> str:
        """How the distribution's own archive revises NVIDIA's upstream version:
        `-0ubuntu0.24.04.N` on Ubuntu, `-N~deb12uN` / `-0+deb12uN` on Debian
        (packages.ubuntu.com noble; packages.debian.org bookworm nvidia-driver)."""
        if self.family == "ubuntu":
            return f"-0ubuntu0.{self.version_id}.N"
        return f"-N~deb{self.version_id}uN"


DISTRIBUTIONS: tuple[Distribution, ...] = (
    Distribution("ubuntu", "20.04", "focal", "ubuntu2004"),
    Distribution("ubuntu", "22.04", "jammy", "ubuntu2204"),
    Distribution("ubuntu", "24.04", "noble", "ubuntu2404"),
    Distribution("debian", "12", "bookworm", "debian12"),
)
"""NVIDIA's repository folders are the ones listed at `.../compute/cuda/repos/`
(nvidia-packaging.md 1a)."""


def find_distribution(os_id: str | None, version_id: str | None) -> Distribution | None:
    """The supported distribution an os-release `ID` / `VERSION_ID` pair names, or None."""
    return next(
        (d for d in DISTRIBUTIONS if d.family == os_id and d.version_id == version_id), None
    )
