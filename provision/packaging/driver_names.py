"""The NVIDIA driver's package names per distribution, repository, branch era and flavour.

Three naming schemes exist (nvidia-packaging.md 2a-2c, 3):
- Ubuntu with the branch in every name (`nvidia-driver-535`, `nvidia-dkms-535-open`,
  `libnvidia-compute-535-server`): Canonical's archive for every branch, and NVIDIA's
  `ubuntuXXXX` repositories before branch 590.
- Ubuntu without it (`nvidia-driver`, `nvidia-dkms-open`, `libnvidia-compute`): NVIDIA's
  repositories from branch 590 on, where a branch or version is locked by installing
  `nvidia-driver-pinning-<version>` first.
- Debian's (`nvidia-driver`, `nvidia-kernel-dkms`, `nvidia-smi`, `libcuda1`): Debian's own
  archive and NVIDIA's `debian12` repository alike, never with a branch.

"The driver set" is every binary built from the driver's source package: provision pins
all of it to the wanted version, so a repository holding many point releases of a branch
resolves to one. Packages from other source packages (`nvidia-modprobe`,
`nvidia-persistenced`, `nvidia-settings` on Debian) have their own versions and are not in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from provision.packaging.distributions import Distribution

Origin = Literal["nvidia", "distro"]
"""NVIDIA's CUDA repository for the distribution, or the distribution's own archive."""

BRANCHLESS_FROM = 590
"""The first branch NVIDIA's Ubuntu packages name without it ("Starting with branch 590,
the Ubuntu packages will be renamed by removing the branch designation": NVIDIA Driver
Installation Guide, Recent Updates)."""

OPEN_DEFAULT_FROM = 560
"""The first branch whose default kernel modules are NVIDIA's open ones (same guide)."""

DEBIAN_COMPONENTS = ("contrib", "non-free", "non-free-firmware")
"""What Debian's driver needs enabled: `non-free` (the driver), `contrib` (nvidia-support,
nvidia-persistenced, the open module) and `non-free-firmware` (firmware-nvidia-gsp):
packages.debian.org bookworm nvidia-driver, nvidia-persistenced, nvidia-open-kernel-dkms."""

UBUNTU_COMPONENTS = ("restricted",)
"""Where Canonical's driver packages are: `restricted` (`apt show nvidia-dkms-530` on 22.04:
"Version: 535.54.03-0ubuntu0.22.04.1, Section: restricted/libs, Origin: Ubuntu", quoted in a
public forum thread, find_string id 56858332684)."""


class PackagingError(ValueError):
    """A driver no repository publishes under any name we can cite."""


@dataclass(frozen=True)
class DriverPackages:
    """The names of one driver install on one distribution and repository."""

    meta: str
    kernel_modules: str
    nvidia_smi: str
    libcuda: str
    driver_set: tuple[str, ...]
    pinning: str | None
    archive_components: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def install(self) -> tuple[str, ...]:
        """What apt is asked for, each at the driver's exact version; also what is held.
        The kernel modules are named because Debian's `nvidia-driver` accepts either
        module package and apt would pick the proprietary one."""
        names = (self.meta, self.kernel_modules, self.nvidia_smi, self.libcuda)
        return tuple(dict.fromkeys(names))


def version_pattern(version: str) -> str:
    """`535.154.05-*`: the driver's upstream version with any revision, which covers
    `-0ubuntu1`, `-1ubuntu1`, `-1`, `-0ubuntu0.24.04.2`, `-1~deb12u1` and `-0+deb12u1`
    (nvidia-packaging.md 2d)."""
    return f"{version}-*"


def _branch(version: str) -> int:
    return int(version.split(".")[0])


def _ubuntu_branch_named(
    version: str, open_modules: bool, server: bool, origin: Origin
) -> DriverPackages:
    base = f"{_branch(version)}" + ("-server" if server else "")
    modules = base + ("-open" if open_modules else "")
    driver_set = (
        f"nvidia-driver-{modules}",
        f"nvidia-dkms-{modules}",
        f"nvidia-kernel-source-{modules}",
        f"nvidia-headless-{modules}",
        f"nvidia-headless-no-dkms-{modules}",
        f"nvidia-kernel-common-{base}",
        f"nvidia-firmware-{base}-{version}",
        f"nvidia-utils-{base}",
        f"nvidia-compute-utils-{base}",
        f"xserver-xorg-video-nvidia-{base}",
        *(
            f"libnvidia-{library}-{base}"
            for library in ("common", "compute", "gl", "extra", "decode", "encode", "cfg1", "fbc1")
        ),
    )
    return DriverPackages(
        meta=f"nvidia-driver-{modules}",
        kernel_modules=f"nvidia-dkms-{modules}",
        nvidia_smi=f"nvidia-utils-{base}",
        libcuda=f"libnvidia-compute-{base}",
        driver_set=driver_set,
        pinning=None,
        archive_components=UBUNTU_COMPONENTS if origin == "distro" else (),
        sources=(
            "canonical/nvidia-graphics-drivers 580-noble debian/templates/control.in (C580)",
            "canonical/nvidia-graphics-drivers 535-noble (C535)",
        ),
    )


def _ubuntu_branchless(version: str, open_modules: bool) -> DriverPackages:
    flavour = "-open" if open_modules else ""
    driver_set = (
        f"nvidia-driver{flavour}",
        f"nvidia-dkms{flavour}",
        f"nvidia-kernel-source{flavour}",
        f"nvidia-headless-no-dkms{flavour}",
        "nvidia-kernel-common",
        "nvidia-firmware",
        "nvidia-utils",
        "nvidia-compute-utils",
        "xserver-xorg-video-nvidia",
        *(
            f"libnvidia-{library}"
            for library in (
                "common", "compute", "gl", "extra", "decode", "encode", "cfg1", "fbc1", "gpucomp"
            )
        ),
    )  # fmt: skip
    return DriverPackages(
        meta=f"nvidia-driver{flavour}",
        kernel_modules=f"nvidia-dkms{flavour}",
        # UNCONFIRMED: the renaming table we found is cut off before nvidia-utils; the name
        # follows the rule the table states (the branch removed).
        nvidia_smi="nvidia-utils",
        libcuda="libnvidia-compute",
        driver_set=driver_set,
        pinning=f"nvidia-driver-pinning-{version}",
        archive_components=(),
        sources=(
            "NVIDIA Driver Installation Guide, Recent Updates (the 590 renaming table)",
            "NVIDIA/gpu-driver-container ubuntu26.04/install.sh pin_driver_version() (GDC)",
        ),
    )


def _debian(version: str, open_modules: bool, origin: Origin) -> DriverPackages:
    open_set: tuple[str, ...]
    if origin == "nvidia":
        open_set = ("nvidia-kernel-open-dkms",)
    else:
        open_set = ("nvidia-open-kernel-dkms", "nvidia-open-kernel-support")
    modules = open_set[0] if open_modules else "nvidia-kernel-dkms"
    driver_set = (
        "nvidia-driver",
        "nvidia-driver-libs",
        "nvidia-driver-bin",
        "nvidia-alternative",
        "nvidia-kernel-dkms",
        "nvidia-kernel-support",
        "firmware-nvidia-gsp",
        "xserver-xorg-video-nvidia",
        "nvidia-vdpau-driver",
        "nvidia-smi",
        "libcuda1",
        "libnvidia-ml1",
        "libnvidia-cfg1",
        "libnvidia-ptxjitcompiler1",
        "libnvidia-pkcs11-openssl3",
        *(("nvidia-driver-cuda",) if origin == "nvidia" else ()),
        *(open_set if open_modules else ()),
    )
    branchless_pin = origin == "nvidia" and _branch(version) >= BRANCHLESS_FROM
    return DriverPackages(
        meta="nvidia-driver",
        kernel_modules=modules,
        nvidia_smi="nvidia-smi",
        libcuda="libcuda1",
        driver_set=driver_set,
        pinning=f"nvidia-driver-pinning-{version}" if branchless_pin else None,
        archive_components=DEBIAN_COMPONENTS if origin == "distro" else (),
        sources=(
            "Debian nvidia-graphics-drivers debian/control (DEB)",
            "packages.debian.org bookworm: nvidia-driver, nvidia-kernel-dkms, "
            "nvidia-open-kernel-dkms (contrib, src:nvidia-open-gpu-kernel-modules)",
            "NVIDIA debian12 repository version lists (nvidia-packaging.md 2c)",
        ),
    )


def driver_packages(
    distribution: Distribution,
    origin: Origin,
    version: str,
    *,
    open_modules: bool,
    server: bool = False,
) -> DriverPackages:
    """The packages of driver `version` on `distribution` from `origin`. Raises
    PackagingError for a flavour no repository of that kind publishes."""
    if distribution.family == "debian":
        if server:
            raise PackagingError(
                f"{distribution.name} has no -server driver flavour (Debian's packages have "
                "one flavour)"
            )
        return _debian(version, open_modules, origin)
    if origin == "distro":
        return _ubuntu_branch_named(version, open_modules, server, origin)
    if server:
        raise PackagingError(
            "NVIDIA's Ubuntu repositories publish no -server driver flavour that we can "
            "cite; the -server flavours are Canonical's (driver source: distro)"
        )
    if _branch(version) >= BRANCHLESS_FROM:
        return _ubuntu_branchless(version, open_modules)
    return _ubuntu_branch_named(version, open_modules, server=False, origin=origin)


BRANCHLESS_DRIVER_NAMES = frozenset(
    ("cuda-drivers", "nvidia-open"),
) | frozenset(
    name
    for packages in (
        _ubuntu_branchless("590.0.0", open_modules=False),
        _ubuntu_branchless("590.0.0", open_modules=True),
        _debian("535.0.0", open_modules=True, origin="nvidia"),
        _debian("535.0.0", open_modules=True, origin="distro"),
    )
    for name in packages.driver_set
    if not name.startswith("nvidia-driver-pinning-")
)
"""Driver packages whose names carry no branch: their version says which driver they are.
NVIDIA's `cuda-drivers` and `nvidia-open` metapackages are among them, though not built
from the driver's source package (they are not pinned; the driver's parts are)."""
