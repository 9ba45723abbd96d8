"""The NVIDIA driver a host must run, and how it gets there."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_core.core_schema import ValidationInfo

from provision.models.base import StateModel
from provision.models.versions import DriverVersion, Sha256


class Driver(StateModel):
    """The NVIDIA kernel driver: version, source, and the clean-up the notes do around it."""

    version: DriverVersion = Field(
        description="Driver version as nvidia-smi reports it, e.g. 535.154.05 or 570.26."
    )
    source: Literal["apt", "distro", "runfile"] = Field(
        "apt",
        description="Install from NVIDIA's apt repository (or the mirror in `sources`), from "
        "the distribution's own archive (the notes' \"Additional Drivers\": Canonical's "
        "packages on Ubuntu, Debian's non-free ones on Debian, whose components provision "
        "enables), or with NVIDIA's .run installer.",
    )
    purge_conflicting: bool = Field(
        True,
        description="Purge other NVIDIA driver packages first (the notes' "
        "`apt-get --purge remove nvidia*`), keeping CUDA toolkits.",
    )
    blacklist_nouveau: bool = Field(
        True,
        description="Blacklist the nouveau module and rebuild the initramfs.",
    )
    hold: bool = Field(
        True,
        description="Hold the driver packages (apt-mark hold) so unattended upgrades cannot "
        "move them.",
    )
    open_kernel_modules: bool = Field(
        False,
        description="Install NVIDIA's open GPU kernel modules instead of the proprietary ones. "
        "Required for Blackwell GPUs; supported from Turing on and from driver 515.",
    )
    server: bool = Field(
        False,
        description="Canonical's -server driver packages (nvidia-driver-535-server, ...), "
        "the datacenter builds that Fabric Manager pairs with: Ubuntu with source distro only.",
    )
    runfile_sha256: Sha256 | None = Field(
        None,
        description="sha256 of the driver .run installer, checked before it runs "
        "(source: runfile only).",
    )

    @property
    def branch(self) -> int:
        """The driver branch, e.g. 535 for 535.154.05 (Ubuntu's packages are named after it)."""
        return int(self.version.split(".")[0])

    @field_validator("runfile_sha256")
    @classmethod
    def _only_for_runfiles(cls, value: str | None, info: ValidationInfo) -> str | None:
        source = info.data.get("source")
        if value is not None and source != "runfile":
            raise ValueError(f"a runfile sha256 is given but the driver's source is {source!r}")
        return value
