"""Which CUDA majors each cuDNN release ships builds for.

cuDNN 8.x ships separate builds per CUDA major (apt `libcudnn8=<ver>-1+cuda11.8` /
`+cuda12.x`, tarballs `..._cuda11-archive` / `_cuda12-archive`); cuDNN 9.x ships
per-major packages (`libcudnn9-cuda-12`) that can coexist.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPORT_MATRIX = "NVIDIA cuDNN Support Matrix (https://docs.nvidia.com/deeplearning/cudnn/)"


@dataclass(frozen=True)
class CudnnRange:
    """cuDNN releases `first`..`last` (major.minor, inclusive) and the CUDA majors they ship.

    `complete` says the list of majors is known to be the whole list; otherwise a major
    missing from it is unknown to the matrix rather than known not to exist.
    """

    first: tuple[int, int]
    last: tuple[int, int]
    cuda_majors: frozenset[str]
    complete: bool
    source: str


CUDNN_RANGES: tuple[CudnnRange, ...] = (
    CudnnRange((8, 0), (8, 7), frozenset({"11"}), True, f"{SUPPORT_MATRIX}, cuDNN 8.0-8.7"),
    CudnnRange(
        (8, 8),
        (8, 9),
        frozenset({"11", "12"}),
        True,
        f"{SUPPORT_MATRIX}, cuDNN 8.9.x: 'for CUDA 12.x' and 'for CUDA 11.x' packages",
    ),
    CudnnRange(
        (9, 0),
        (9, 5),
        frozenset({"11", "12"}),
        True,
        f"{SUPPORT_MATRIX}, cuDNN 9.0.0 and 9.5.0: 'for CUDA 12.x' and 'for CUDA 11.x'",
    ),
    CudnnRange(
        (9, 6),
        (9, 12),
        frozenset({"12"}),
        False,
        f"{SUPPORT_MATRIX}; PyTorch 2.11 ships cuDNN 9.10.2.21 with CUDA 12.6 "
        "(pytorch/pytorch RELEASE.md)",
    ),
    CudnnRange(
        (9, 13),
        (9, 24),
        frozenset({"12", "13"}),
        False,
        "PyTorch 2.13/2.14 ship cuDNN 9.20.0.48 / 9.24.0.43 with CUDA 13.0 and 13.2 "
        "(pytorch/pytorch RELEASE.md, PRs #187075 and #194367)",
    ),
)

# apt can hold one `libcudnn8` package at a time: its +cuda11.x and +cuda12.x builds share
# the package name, so cuDNN 8 for two majors needs tarballs for all but one.
APT_SINGLE_PACKAGE_MAJORS = frozenset({"8"})


def cudnn_range(version: str) -> CudnnRange | None:
    """The matrix row that covers a cuDNN version such as 8.9.7.29, if any."""
    major, minor = (int(part) for part in version.split(".")[:2])
    for row in CUDNN_RANGES:
        if row.first <= (major, minor) <= row.last:
            return row
    return None
