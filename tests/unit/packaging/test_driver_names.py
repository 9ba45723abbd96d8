"""The driver's package names on every supported distribution x repository x branch era x
flavour, each pinned to the names its public source shows (keys of
shared/reference/nvidia-packaging.md)."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest

from provision.packaging.distributions import DISTRIBUTIONS, Distribution, find_distribution
from provision.packaging.driver_names import (
    DEBIAN_COMPONENTS,
    DriverPackages,
    Origin,
    PackagingError,
    driver_packages,
    version_pattern,
)

UBUNTU = [d for d in DISTRIBUTIONS if d.family == "ubuntu"]
DEBIAN12 = find_distribution("debian", "12")
assert DEBIAN12 is not None


def names(packages: DriverPackages) -> tuple[str, str, str, str]:
    return packages.meta, packages.kernel_modules, packages.nvidia_smi, packages.libcuda


# (origin, version, open, server) -> (meta, kernel modules, nvidia-smi, libcuda), Ubuntu.
UBUNTU_CASES = [
    # C535/C580 and NVIDIA's repository before 590: the branch in every name.
    (("nvidia", "535.154.05", False, False),
     ("nvidia-driver-535", "nvidia-dkms-535", "nvidia-utils-535", "libnvidia-compute-535")),
    (("nvidia", "580.126.16", True, False),
     ("nvidia-driver-580-open", "nvidia-dkms-580-open", "nvidia-utils-580",
      "libnvidia-compute-580")),
    # The 590 renaming (Recent Updates; GDC ubuntu26.04): no branch, opt-in pinning package.
    (("nvidia", "590.48.01", False, False),
     ("nvidia-driver", "nvidia-dkms", "nvidia-utils", "libnvidia-compute")),
    (("nvidia", "615.71.09", True, False),
     ("nvidia-driver-open", "nvidia-dkms-open", "nvidia-utils", "libnvidia-compute")),
    # Canonical's archive keeps branch names past 590 (packages.ubuntu.com noble
    # libnvidia-compute-595, -610) and has -server flavours (a separate source package).
    (("distro", "535.288.01", False, False),
     ("nvidia-driver-535", "nvidia-dkms-535", "nvidia-utils-535", "libnvidia-compute-535")),
    (("distro", "610.43.02", True, False),
     ("nvidia-driver-610-open", "nvidia-dkms-610-open", "nvidia-utils-610",
      "libnvidia-compute-610")),
    (("distro", "535.288.01", False, True),
     ("nvidia-driver-535-server", "nvidia-dkms-535-server", "nvidia-utils-535-server",
      "libnvidia-compute-535-server")),
    (("distro", "580.173.02", True, True),
     ("nvidia-driver-580-server-open", "nvidia-dkms-580-server-open",
      "nvidia-utils-580-server", "libnvidia-compute-580-server")),
]  # fmt: skip


@pytest.mark.parametrize("distribution", UBUNTU, ids=lambda d: d.nvidia_repository)
@pytest.mark.parametrize(("case", "expected"), UBUNTU_CASES, ids=lambda c: "-".join(map(str, c)))
def test_ubuntu_names(
    distribution: Distribution, case: tuple[Origin, str, bool, bool], expected: tuple[str, ...]
) -> None:
    origin, version, open_modules, server = case
    packages = driver_packages(
        distribution, origin, version, open_modules=open_modules, server=server
    )
    assert names(packages) == expected
    assert set(packages.install) <= set(packages.driver_set)
    # Canonical's driver is in Ubuntu's restricted component; NVIDIA's repository is flat.
    assert packages.archive_components == (("restricted",) if origin == "distro" else ())


@pytest.mark.parametrize(
    ("origin", "version", "pinning"),
    [
        ("nvidia", "580.126.16", None),
        ("nvidia", "590.48.01", "nvidia-driver-pinning-590.48.01"),
        ("distro", "610.43.02", None),
    ],
)
def test_ubuntu_pinning_package_from_590_in_nvidias_repository_only(
    origin: Origin, version: str, pinning: str | None
) -> None:
    noble = find_distribution("ubuntu", "24.04")
    assert noble is not None
    assert driver_packages(noble, origin, version, open_modules=False).pinning == pinning


def test_nvidias_ubuntu_repository_has_no_server_flavour_to_cite() -> None:
    jammy = find_distribution("ubuntu", "22.04")
    assert jammy is not None
    with pytest.raises(PackagingError, match="-server"):
        driver_packages(jammy, "nvidia", "535.154.05", open_modules=False, server=True)


# (origin, version, open) -> (meta, kernel modules, nvidia-smi, libcuda), Debian 12. Debian
# names never carry the branch (DEB control; packages.debian.org bookworm), NVIDIA's debian12
# repository uses them too, but spells the open module `nvidia-kernel-open-dkms`.
DEBIAN_CASES = [
    (("nvidia", "535.154.05", False),
     ("nvidia-driver", "nvidia-kernel-dkms", "nvidia-smi", "libcuda1")),
    (("nvidia", "595.91.07", True),
     ("nvidia-driver", "nvidia-kernel-open-dkms", "nvidia-smi", "libcuda1")),
    (("distro", "535.261.03", False),
     ("nvidia-driver", "nvidia-kernel-dkms", "nvidia-smi", "libcuda1")),
    (("distro", "535.261.03", True),
     ("nvidia-driver", "nvidia-open-kernel-dkms", "nvidia-smi", "libcuda1")),
]  # fmt: skip


@pytest.mark.parametrize(("case", "expected"), DEBIAN_CASES, ids=lambda c: "-".join(map(str, c)))
def test_debian_names(case: tuple[Origin, str, bool], expected: tuple[str, ...]) -> None:
    origin, version, open_modules = case
    packages = driver_packages(DEBIAN12, origin, version, open_modules=open_modules)
    assert names(packages) == expected
    assert set(packages.install) <= set(packages.driver_set)
    assert not any(version.split(".")[0] in name for name in packages.driver_set)


def test_debian_driver_set_leaves_out_packages_of_other_sources() -> None:
    packages = driver_packages(DEBIAN12, "distro", "535.261.03", open_modules=False)
    assert {"nvidia-modprobe", "nvidia-persistenced", "nvidia-settings"}.isdisjoint(
        packages.driver_set
    )
    assert {"firmware-nvidia-gsp", "nvidia-kernel-support", "libnvidia-ml1"} <= set(
        packages.driver_set
    )


def test_debian_archive_needs_contrib_non_free_and_firmware() -> None:
    archive = driver_packages(DEBIAN12, "distro", "535.261.03", open_modules=False)
    nvidia = driver_packages(DEBIAN12, "nvidia", "535.154.05", open_modules=False)
    assert archive.archive_components == DEBIAN_COMPONENTS == (
        "contrib", "non-free", "non-free-firmware",
    )  # fmt: skip
    assert nvidia.archive_components == ()


def test_debian_has_no_server_flavour() -> None:
    with pytest.raises(PackagingError, match="Debian 12"):
        driver_packages(DEBIAN12, "distro", "535.261.03", open_modules=False, server=True)


def test_debian_pinning_package_from_590_in_nvidias_repository() -> None:
    assert driver_packages(DEBIAN12, "nvidia", "535.154.05", open_modules=False).pinning is None
    assert (
        driver_packages(DEBIAN12, "nvidia", "595.91.07", open_modules=True).pinning
        == "nvidia-driver-pinning-595.91.07"
    )


@pytest.mark.parametrize(
    "revision",
    ["0ubuntu1", "1ubuntu1", "1", "0ubuntu0.24.04.2", "1~deb12u1", "0+deb12u1", "4~deb12u1"],
)
def test_the_version_pattern_takes_every_revision_seen(revision: str) -> None:
    assert fnmatchcase(f"535.154.05-{revision}", version_pattern("535.154.05"))
    assert not fnmatchcase(f"535.154.050-{revision}", version_pattern("535.154.05"))


def test_every_distribution_and_origin_has_names_with_sources() -> None:
    for distribution in DISTRIBUTIONS:
        for origin in ("nvidia", "distro"):
            for version in ("535.154.05", "590.48.01"):
                for open_modules in (False, True):
                    packages = driver_packages(
                        distribution, origin, version, open_modules=open_modules
                    )
                    assert packages.sources
                    assert len(set(packages.install)) == len(packages.install)
