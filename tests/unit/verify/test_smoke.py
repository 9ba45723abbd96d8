"""The smoke test itself, run with the local torch CPU build, and its judgement."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import provision
from provision.verify import smoke
from provision.verify.smoke_judgement import (
    NO_GPU_MESSAGE,
    NoGpuSkip,
    SmokeDocumentError,
    build_problems,
    cudnn_number,
    expected_cuda,
    gpu_problems,
    parse_smoke_output,
)
from tests.unit.connection.ci_requirements import skip_unless_possible

SMOKE = Path(provision.__file__).parent / "verify" / "smoke.py"


def local_torch() -> Any:
    """The control node's PyTorch (its CPU build, which scripts/setup-machine installs);
    the test skips without it, and fails in CI, where a missing install step must show."""
    try:
        import torch
    except ImportError:
        skip_unless_possible("needs PyTorch's CPU build (scripts/setup-machine installs it)")
    return torch


@pytest.fixture(scope="module")
def cpu_document() -> dict[str, Any]:
    local_torch()
    result = subprocess.run([sys.executable, str(SMOKE)], capture_output=True, text=True,
                            check=True, timeout=300)  # fmt: skip
    return parse_smoke_output(result.stdout)


def test_the_smoke_test_prints_one_document_of_the_cpu_build(cpu_document: dict[str, Any]) -> None:
    assert cpu_document["torch"].startswith("2.13.0")
    assert cpu_document["cuda"] is None
    assert cpu_document["cuda_available"] is False and cpu_document["device_count"] == 0
    assert cpu_document["gpus"] == []
    assert build_problems(cpu_document, "2.13.0", "cpu", "") == []
    with pytest.raises(NoGpuSkip, match="no GPU: CUDA checks skipped"):
        gpu_problems(cpu_document, require_gpu=False)
    assert gpu_problems(cpu_document, require_gpu=True) == [
        "torch.cuda.is_available() is False with 0 devices, and verify.require_gpu is true"
    ]


def test_a_different_build_is_named() -> None:
    document = {"torch": "2.13.0+cpu", "cuda": None, "cudnn": None}
    assert build_problems(document, "2.5.1", "cu118", "8.9.7.29") == [
        "torch is 2.13.0+cpu, not 2.5.1",
        "torch is the cpu build, not cu118",
        "torch.version.cuda is None, not 11.8",
        "torch.backends.cudnn.version() is None, not 8907 (cuDNN 8.9.7.29)",
    ]


def test_gpu_results_are_judged_per_operation() -> None:
    document = {
        "cuda_available": True, "device_count": 1,
        "gpus": [{"index": 0, "name": "H100", "checks": {
            "matmul": {"passed": True, "max_abs_error": 0.0, "tolerance": 1e-3, "device_ms": 1.0},
            "conv2d": {"passed": False, "max_abs_error": 0.5, "tolerance": 1e-3, "device_ms": 2.0},
        }}],
    }  # fmt: skip
    assert gpu_problems(document, require_gpu=True) == [
        "conv2d on GPU 0 (H100): max abs error 0.5 > 0.001"
    ]


def test_versions_and_bad_output() -> None:
    assert expected_cuda("cu118") == "11.8" and expected_cuda("cu126") == "12.6"
    assert expected_cuda("cpu") is None
    assert cudnn_number("8.9.7.29") == 8907 and cudnn_number("9.1.0.70") == 90100
    with pytest.raises(SmokeDocumentError, match="no JSON document"):
        parse_smoke_output("Traceback ...")
    with pytest.raises(SmokeDocumentError, match="cannot import torch"):
        parse_smoke_output(json.dumps({"error": "cannot import torch: ModuleNotFoundError"}))
    assert NO_GPU_MESSAGE.startswith("no GPU: CUDA checks skipped")


def test_a_gpu_whose_operations_fail_is_reported_with_the_error() -> None:
    torch = local_torch()
    cuda = SimpleNamespace(is_available=lambda: True, device_count=lambda: 1,
                           get_device_name=lambda index: "Stand-in GPU",
                           synchronize=lambda device: None)  # fmt: skip
    fake = SimpleNamespace(__version__=torch.__version__, version=torch.version, cuda=cuda,
                           backends=torch.backends, Generator=torch.Generator, rand=torch.rand,
                           nn=torch.nn)  # fmt: skip
    document = smoke.report(fake)
    assert document["device_count"] == 1 and document["passed"] is False
    [gpu] = document["gpus"]
    assert gpu["name"] == "Stand-in GPU"
    assert set(gpu["checks"]) == {"matmul", "conv2d"}
    assert all(not check["passed"] and check["error"] for check in gpu["checks"].values())
    problems = gpu_problems(document, require_gpu=True)
    assert len(problems) == 2 and problems[0].startswith("conv2d on GPU 0 (Stand-in GPU): ")
