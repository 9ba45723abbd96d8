"""Judging the smoke test's JSON document against the desired PyTorch build.

Pure: each function returns what is wrong (an empty list when nothing is), or raises
`NoGpuSkip` when the GPU part cannot run and the state allows that.
"""

from __future__ import annotations

import json
from typing import Any

NO_GPU_MESSAGE = "no GPU: CUDA checks skipped (verify.require_gpu is false)"


class NoGpuSkip(Exception):
    """The host has no usable GPU and the state does not require one."""


class SmokeDocumentError(ValueError):
    """The smoke test printed something that is not its JSON document."""


def parse_smoke_output(text: str) -> dict[str, Any]:
    """The smoke test's document from its standard output."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SmokeDocumentError(
            f"the smoke test printed no JSON document ({error.msg}): {text.strip()[:300]!r}"
        ) from None
    if not isinstance(document, dict):
        raise SmokeDocumentError(f"the smoke test printed {type(document).__name__}, not an object")
    if "error" in document:
        raise SmokeDocumentError(str(document["error"]))
    return document


def expected_cuda(variant: str) -> str | None:
    """`torch.version.cuda` of a build variant: `cu118` -> `11.8`, `cpu` -> None."""
    if variant == "cpu":
        return None
    digits = variant.removeprefix("cu")
    return f"{digits[:-1]}.{digits[-1]}"


def cudnn_number(version: str) -> int:
    """`torch.backends.cudnn.version()` of a cuDNN release: 8.9.7.29 -> 8907, 9.1.0 -> 90100."""
    parts = [int(part) for part in version.split(".")[:3]]
    major, minor, patch = parts + [0] * (3 - len(parts))
    if major >= 9:
        return major * 10000 + minor * 100 + patch
    return major * 1000 + minor * 100 + patch


def build_problems(document: dict[str, Any], version: str, variant: str, cudnn: str) -> list[str]:
    """What differs between the imported torch build and the desired one."""
    problems = []
    torch_version = str(document.get("torch", ""))
    release, _, local = torch_version.partition("+")
    if release != version:
        problems.append(f"torch is {torch_version or 'missing'}, not {version}")
    if local and local != variant:
        problems.append(f"torch is the {local} build, not {variant}")
    cuda = expected_cuda(variant)
    if document.get("cuda") != cuda:
        problems.append(f"torch.version.cuda is {document.get('cuda')}, not {cuda}")
    if cuda is not None and cudnn and document.get("cudnn") != cudnn_number(cudnn):
        problems.append(
            f"torch.backends.cudnn.version() is {document.get('cudnn')}, not "
            f"{cudnn_number(cudnn)} (cuDNN {cudnn})"
        )
    return problems


def _gpu_problems(gpu: dict[str, Any]) -> list[str]:
    problems = []
    for operation, result in sorted(gpu.get("checks", {}).items()):
        if result.get("passed"):
            continue
        detail = result.get("error") or (
            f"max abs error {result.get('max_abs_error')} > {result.get('tolerance')}"
        )
        problems.append(f"{operation} on GPU {gpu.get('index')} ({gpu.get('name')}): {detail}")
    return problems


def gpu_problems(document: dict[str, Any], require_gpu: bool) -> list[str]:
    """What is wrong with CUDA on the host; raises `NoGpuSkip` when there is no GPU and
    none is required."""
    if not document.get("cuda_available") or not document.get("device_count"):
        if not require_gpu:
            raise NoGpuSkip(NO_GPU_MESSAGE)
        return [
            f"torch.cuda.is_available() is {document.get('cuda_available')} with "
            f"{document.get('device_count', 0)} devices, and verify.require_gpu is true"
        ]
    problems = []
    for gpu in document.get("gpus", []):
        problems.extend(_gpu_problems(gpu))
    return problems


def gpu_summary(document: dict[str, Any]) -> str:
    """One line naming the GPUs and the slowest operation time, for the report."""
    names = ", ".join(str(gpu.get("name")) for gpu in document.get("gpus", []))
    times = [
        float(result.get("device_ms", 0.0))
        for gpu in document.get("gpus", [])
        for result in gpu.get("checks", {}).values()
    ]
    return (
        f"{document.get('device_count')} GPU(s): {names}; slowest op {max(times, default=0):.1f} ms"
    )
