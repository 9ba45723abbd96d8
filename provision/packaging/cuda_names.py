"""NVIDIA's CUDA toolkit, cuDNN and Fabric Manager package names, as NVIDIA's repositories
carry them on every supported distribution (the toolkit and cuDNN names do not differ
between distributions; Fabric Manager's follow the driver's branch era)."""

from __future__ import annotations

import re

from provision.packaging.distributions import Distribution
from provision.packaging.driver_names import Origin, PackagingError

_TOOLKIT_PACKAGE = re.compile(r"cuda-toolkit-(\d+)-(\d+)")

FABRIC_MANAGER_UNVERSIONED_FROM = 580
"""From 580 Fabric Manager is `nvidia-fabricmanager`, with `nvidia-fabricmanager-580` only
a virtual package it provides (NVIDIA/gpu-driver-container#451; GDC ubuntu24.04)."""


def release_suffix(release: str) -> str:
    """`11-8` for release 11.8, as NVIDIA's per-release package names end."""
    return release.replace(".", "-")


def toolkit_package(release: str) -> str:
    """`cuda-toolkit-11-8`: the toolkit without a driver (`cuda-X-Y` and `cuda-runtime-X-Y`
    pull `cuda-drivers`, the newest driver, unpinned: nvidia-packaging.md 5)."""
    return f"cuda-toolkit-{release_suffix(release)}"


def toolkit_package_release(name: str) -> str | None:
    """The release a `cuda-toolkit-X-Y` package installs (None for any other package)."""
    match = _TOOLKIT_PACKAGE.fullmatch(name)
    return f"{match[1]}.{match[2]}" if match else None


def alternatives_priority(release: str) -> int:
    """The `update-alternatives` priority NVIDIA's `cuda-toolkit-X-Y-config-common`
    registers `/usr/local/cuda-X.Y` with (118 for 11.8, 121 for 12.1), so the newest
    toolkit wins in auto mode: nvidia-packaging.md 5 (its postinst's "Setting
    alternatives" output)."""
    major, minor = release.split(".")
    return int(major) * 10 + int(minor)


def toolkit_version_pattern(version: str) -> str:
    """`11.8.0-1`: NVIDIA's toolkit metapackages' version (cuda-toolkit-12-4 12.4.1-1)."""
    return f"{version}-1"


def cudnn_packages(cuda_major: str, version: str) -> list[tuple[str, str]]:
    """(package, version pattern) pairs of cuDNN `version` built for CUDA `cuda_major`.

    cuDNN 8 is one package for every CUDA major, the CUDA build only in its version
    (`libcudnn8 8.9.7.29-1+cuda12.2`), so apt holds one major's build at a time; cuDNN 9
    is one package per CUDA major without a suffix (`libcudnn9-cuda-12 9.0.0.312-1`):
    nvidia-packaging.md 6 (NVIDIA/TensorRT-LLM#669; pytorch/xla#6835)."""
    cudnn_major = version.split(".")[0]
    if cudnn_major == "8":
        pattern = f"{version}-1+cuda{cuda_major}.*"
        return [("libcudnn8", pattern), ("libcudnn8-dev", pattern)]
    exact = f"{version}-1"
    return [
        (f"libcudnn{cudnn_major}-cuda-{cuda_major}", exact),
        (f"libcudnn{cudnn_major}-dev-cuda-{cuda_major}", exact),
    ]


def fabric_manager_packages(
    distribution: Distribution, origin: Origin, driver_version: str, *, server: bool
) -> tuple[str, ...]:
    """Fabric Manager for driver `driver_version` (it must match the driver exactly: the
    AFM README). Canonical's `nvidia-fabricmanager-<branch>` works only with the -server
    driver (packages.ubuntu.com nvidia-fabricmanager-580); Debian's archive has none."""
    branch = int(driver_version.split(".")[0])
    if origin == "distro":
        if distribution.family == "debian":
            raise PackagingError(f"{distribution.name}'s archive carries no Fabric Manager")
        if not server:
            raise PackagingError(
                f"Canonical's nvidia-fabricmanager-{branch} needs the -server driver flavour"
            )
        return (f"nvidia-fabricmanager-{branch}", f"libnvidia-nscq-{branch}")
    if branch >= FABRIC_MANAGER_UNVERSIONED_FROM:
        return ("nvidia-fabricmanager", "libnvidia-nscq")
    return (f"nvidia-fabricmanager-{branch}", f"libnvidia-nscq-{branch}")
