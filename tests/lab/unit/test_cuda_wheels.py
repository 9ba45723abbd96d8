"""Where the files of NVIDIA's CUDA wheels go in NVIDIA's `/usr/local/cuda-X.Y` layout."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from provision_lab.mirror.catalog import REAL_TOOLKITS
from provision_lab.mirror.cuda_wheels import installed_path, package_names

PLACES = [
    ("nvidia/cu13/bin/nvcc", "bin/nvcc"),
    ("nvidia/cu13/bin/crt/link.stub", "bin/crt/link.stub"),
    ("nvidia/cu13/nvvm/bin/cicc", "nvvm/bin/cicc"),
    ("nvidia/cu13/nvvm/libdevice/libdevice.10.bc", "nvvm/libdevice/libdevice.10.bc"),
    ("nvidia/cu13/lib/libnvvm.so.4", "nvvm/lib64/libnvvm.so.4"),
    ("nvidia/cu13/include/nvvm.h", "nvvm/include/nvvm.h"),
    ("nvidia/cu13/include/cuda_runtime.h", "targets/x86_64-linux/include/cuda_runtime.h"),
    ("nvidia/cu13/include/cccl/cub/cub.cuh", "targets/x86_64-linux/include/cccl/cub/cub.cuh"),
    ("nvidia/cu13/lib/libcudart_static.a", "targets/x86_64-linux/lib/libcudart_static.a"),
]


@pytest.mark.parametrize(("in_wheel", "installed"), PLACES)
def test_each_wheel_file_lands_where_nvidias_packages_put_it(in_wheel: str, installed: str) -> None:
    assert installed_path(PurePosixPath(in_wheel), "13") == PurePosixPath(installed)


@pytest.mark.parametrize(
    "in_wheel",
    ["nvidia_cuda_nvcc-13.0.88.dist-info/METADATA", "nvidia/cu12/bin/ptxas", "nvidia/cu13/x"],
)
def test_metadata_and_other_majors_are_not_installed(in_wheel: str) -> None:
    assert installed_path(PurePosixPath(in_wheel), "13") is None


def test_every_pinned_wheel_has_a_package() -> None:
    for real in REAL_TOOLKITS:
        assert set(package_names(real)) == {project for project, _ in real.wheels}
