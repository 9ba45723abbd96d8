"""Which installed packages are NVIDIA drivers of a branch: the name decides, not the version."""

from __future__ import annotations

import pytest
from host_facts import fresh_host, state

from provision.resources.driver import conflicting_packages, package_branch


@pytest.mark.parametrize(
    ("name", "branch"),
    [
        ("nvidia-driver-515", "515"),
        ("nvidia-dkms-515-open", "515"),
        ("nvidia-driver-550-server-open", "550"),
        ("nvidia-utils-550-server", "550"),
        ("libnvidia-compute-515", "515"),
        ("libnvidia-compute-515:amd64", "515"),
        ("nvidia-kernel-common-535", "535"),
        ("xserver-xorg-video-nvidia-470", "470"),
        ("cuda-drivers-515", "515"),
        ("libnvidia-container1", None),
        ("libnvidia-container-tools", None),
        ("nvidia-container-toolkit", None),
        ("nvidia-container-toolkit-base", None),
        ("nvidia-prime", None),
        ("nvidia-cuda-toolkit", None),
        ("nvidia-settings", None),
        ("cuda-toolkit-12-2", None),
    ],
)
def test_the_branch_comes_from_the_package_name(name: str, branch: str | None) -> None:
    assert package_branch(name) == branch


def _installed(name: str, version: str) -> dict[str, str]:
    return {"name": name, "version": version, "want": "install", "state": "installed"}


def test_a_runfile_driver_purges_driver_packages_of_every_branch_and_nothing_else() -> None:
    desired = state({"driver": {"source": "runfile"}})
    assert desired.driver is not None
    facts = fresh_host(
        {
            "nvidia": {
                "packages": [
                    _installed("nvidia-driver-535", "535.154.05-0ubuntu1"),
                    _installed("nvidia-container-toolkit", "1.14.3-1"),
                    _installed("nvidia-prime", "0.8.17.1"),
                ]
            }
        }
    )
    assert conflicting_packages(desired.driver, facts) == ["nvidia-driver-535"]


def test_the_unversioned_cuda_drivers_metapackage_of_another_branch_goes_too() -> None:
    desired = state()
    assert desired.driver is not None
    facts = fresh_host({"nvidia": {"packages": [_installed("cuda-drivers", "515.105.01-1")]}})
    assert conflicting_packages(desired.driver, facts) == ["cuda-drivers"]
