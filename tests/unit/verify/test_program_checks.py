"""The CUDA program check's judgement of what the vector add printed.

The error lines are what the program prints when CUDA's runtime fails: the insufficient
driver line was printed by it on this GPU-less machine, built with NVIDIA's nvcc 13.0.88.
"""

from __future__ import annotations

import pytest

from provision.verify.host_checks import CheckFailed, CheckSkipped
from provision.verify.program_checks import judge_cuda_program

NO_DRIVER = (
    "cuda error: cudaErrorInsufficientDriver: "
    "CUDA driver version is insufficient for CUDA runtime version\n"
)
NO_DEVICE = "cuda error: cudaErrorNoDevice: no CUDA-capable device is detected\n"
PASSED = "vector add: 1048576 sums right on NVIDIA H200\n"


def test_right_sums_pass_with_the_programs_own_line() -> None:
    assert judge_cuda_program(0, PASSED, require_gpu=True) == PASSED.strip()


@pytest.mark.parametrize(
    ("output", "reason"),
    [(NO_DRIVER, "driver insufficient"), (NO_DEVICE, "no CUDA-capable device")],
)
def test_no_usable_gpu_is_skipped_with_its_reason_when_the_state_allows(
    output: str, reason: str
) -> None:
    with pytest.raises(CheckSkipped, match=reason):
        judge_cuda_program(2, output, require_gpu=False)
    with pytest.raises(CheckFailed, match=f"cannot run: {reason}"):
        judge_cuda_program(2, output, require_gpu=True)


@pytest.mark.parametrize(
    ("rc", "output"),
    [
        (1, "wrong sum at 7: 0.000000, not 21.000000\n"),
        (2, "cuda error: cudaErrorNoKernelImageForDevice: no kernel image is available\n"),
        (0, ""),
        (139, "Segmentation fault\n"),
    ],
)
def test_wrong_sums_other_cuda_errors_and_no_output_fail(rc: int, output: str) -> None:
    with pytest.raises(CheckFailed, match=f"exit {rc}"):
        judge_cuda_program(rc, output, require_gpu=False)
