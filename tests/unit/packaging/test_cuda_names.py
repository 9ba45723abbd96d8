"""Toolkit, cuDNN and Fabric Manager names as NVIDIA's repositories carry them."""

from __future__ import annotations

import pytest

from provision.packaging.cuda_names import (
    cudnn_packages,
    fabric_manager_packages,
    toolkit_package,
    toolkit_package_release,
    toolkit_version_pattern,
)
from provision.packaging.distributions import find_distribution
from provision.packaging.driver_names import PackagingError

NOBLE = find_distribution("ubuntu", "24.04")
BOOKWORM = find_distribution("debian", "12")
assert NOBLE is not None and BOOKWORM is not None


def test_toolkit_package_is_the_driverless_one() -> None:
    assert toolkit_package("11.8") == "cuda-toolkit-11-8"
    assert toolkit_version_pattern("12.4.1") == "12.4.1-1"
    assert toolkit_package_release("cuda-toolkit-12-1") == "12.1"
    assert toolkit_package_release("cuda-toolkit-12-1-config-common") is None
    assert toolkit_package_release("cuda-12-1") is None


def test_cudnn8_is_one_package_whose_version_names_the_cuda_build() -> None:
    assert cudnn_packages("12", "8.9.7.29") == [
        ("libcudnn8", "8.9.7.29-1+cuda12.*"),
        ("libcudnn8-dev", "8.9.7.29-1+cuda12.*"),
    ]


def test_cudnn9_is_one_package_per_cuda_major() -> None:
    assert cudnn_packages("11", "9.1.1.17") == [
        ("libcudnn9-cuda-11", "9.1.1.17-1"),
        ("libcudnn9-dev-cuda-11", "9.1.1.17-1"),
    ]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("535.161.08", ("nvidia-fabricmanager-535", "libnvidia-nscq-535")),
        ("580.65.06", ("nvidia-fabricmanager", "libnvidia-nscq")),
    ],
)
def test_fabric_manager_in_nvidias_repository_follows_the_580_renaming(
    version: str, expected: tuple[str, ...]
) -> None:
    assert fabric_manager_packages(NOBLE, "nvidia", version, server=False) == expected


def test_canonicals_fabric_manager_needs_the_server_flavour() -> None:
    assert fabric_manager_packages(NOBLE, "distro", "580.173.02", server=True)[0] == (
        "nvidia-fabricmanager-580"
    )
    with pytest.raises(PackagingError, match="-server"):
        fabric_manager_packages(NOBLE, "distro", "580.173.02", server=False)
    with pytest.raises(PackagingError, match="Debian 12"):
        fabric_manager_packages(BOOKWORM, "distro", "535.261.03", server=False)
