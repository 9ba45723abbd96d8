"""PyTorch smoke test, shipped to a host and run with a conda env's python.

Standard library and torch only (the host has nothing else of provision). Prints one
JSON document: the build (torch, CUDA, cuDNN), whether CUDA is available, the GPUs, and a
small matmul and conv2d on each GPU compared with the CPU result, with their times.
Exits 0 whenever it could print the document; judging it is the caller's job.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

TOLERANCE = 1e-3


def _timed_run(torch: Any, device: str, operation: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = operation(device)
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)
    return result.to("cpu"), (time.perf_counter() - started) * 1000.0


def _compare(torch: Any, device: str, operation: Any) -> dict[str, Any]:
    expected, cpu_ms = _timed_run(torch, "cpu", operation)
    try:
        actual, device_ms = _timed_run(torch, device, operation)
    except Exception as error:
        return {"passed": False, "error": f"{type(error).__name__}: {error}"}
    difference = float((actual.double() - expected.double()).abs().max())
    return {
        "passed": difference <= TOLERANCE,
        "max_abs_error": difference,
        "tolerance": TOLERANCE,
        "device_ms": round(device_ms, 3),
        "cpu_ms": round(cpu_ms, 3),
    }


def _operations(torch: Any) -> dict[str, Any]:
    generator = torch.Generator().manual_seed(0)
    left = torch.rand(64, 64, generator=generator)
    right = torch.rand(64, 64, generator=generator)
    images = torch.rand(2, 3, 16, 16, generator=generator)
    kernels = torch.rand(4, 3, 3, 3, generator=generator)
    return {
        "matmul": lambda device: left.to(device) @ right.to(device),
        "conv2d": lambda device: torch.nn.functional.conv2d(
            images.to(device), kernels.to(device), padding=1
        ),
    }


def _gpu(torch: Any, index: int) -> dict[str, Any]:
    device = f"cuda:{index}"
    return {
        "index": index,
        "name": torch.cuda.get_device_name(index),
        "checks": {
            name: _compare(torch, device, operation)
            for name, operation in _operations(torch).items()
        },
    }


def report(torch: Any) -> dict[str, Any]:
    """The smoke test's document for the given torch module."""
    available = bool(torch.cuda.is_available())
    count = int(torch.cuda.device_count()) if available else 0
    gpus = [_gpu(torch, index) for index in range(count)]
    return {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        "cuda_available": available,
        "device_count": count,
        "gpus": gpus,
        "passed": all(check["passed"] for gpu in gpus for check in gpu["checks"].values()),
    }


def main() -> int:
    """Import torch, run the checks, print the document; exit 1 only when torch is missing."""
    try:
        import torch
    except Exception as error:
        print(json.dumps({"error": f"cannot import torch: {type(error).__name__}: {error}"}))
        return 1
    print(json.dumps(report(torch), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
