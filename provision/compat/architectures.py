"""GPU architectures: compute capabilities, which drivers and CUDA releases support them,
and a lookup from the GPU names nvidia-smi prints to their compute capability.

Sources: NVIDIA "CUDA GPUs - Compute Capability" (https://developer.nvidia.com/cuda-gpus);
CUDA Toolkit release notes (CUDA 13.0 removes offline compilation and library support for
Maxwell, Pascal and Volta; CUDA 12.8 adds Blackwell sm_100/sm_120; CUDA 11.8 adds Ada sm_89
and Hopper sm_90; CUDA 12.0 removes Kepler); NVIDIA driver release notes (R580 is the last
driver branch for Maxwell, Pascal and Volta; R470 the last for Kepler); NVIDIA driver
installation guide, "Open GPU kernel modules" (Turing and later only; Blackwell requires them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Architecture:
    """A GPU architecture and the driver branches and CUDA majors that serve it."""

    name: str
    last_driver_branch: int | None
    last_cuda_major: int | None
    open_modules: bool
    requires_open_modules: bool


KEPLER = Architecture("Kepler", 470, 11, False, False)
MAXWELL = Architecture("Maxwell", 580, 12, False, False)
PASCAL = Architecture("Pascal", 580, 12, False, False)
VOLTA = Architecture("Volta", 580, 12, False, False)
TURING = Architecture("Turing", None, None, True, False)
AMPERE = Architecture("Ampere", None, None, True, False)
ADA = Architecture("Ada Lovelace", None, None, True, False)
HOPPER = Architecture("Hopper", None, None, True, False)
BLACKWELL = Architecture("Blackwell", None, None, True, True)


@dataclass(frozen=True)
class ComputeCapability:
    """A compute capability with the first CUDA release and driver branch that support it."""

    version: str
    architecture: Architecture
    first_cuda: str
    first_driver_branch: int


CAPABILITIES: dict[str, ComputeCapability] = {
    capability.version: capability
    for capability in (
        ComputeCapability("3.5", KEPLER, "5.0", 319),
        ComputeCapability("3.7", KEPLER, "6.5", 340),
        ComputeCapability("5.0", MAXWELL, "6.0", 331),
        ComputeCapability("5.2", MAXWELL, "6.5", 343),
        ComputeCapability("6.0", PASCAL, "8.0", 361),
        ComputeCapability("6.1", PASCAL, "8.0", 367),
        ComputeCapability("7.0", VOLTA, "9.0", 384),
        ComputeCapability("7.5", TURING, "10.0", 410),
        ComputeCapability("8.0", AMPERE, "11.0", 450),
        ComputeCapability("8.6", AMPERE, "11.1", 455),
        ComputeCapability("8.9", ADA, "11.8", 520),
        ComputeCapability("9.0", HOPPER, "11.8", 520),
        ComputeCapability("10.0", BLACKWELL, "12.8", 570),
        ComputeCapability("10.3", BLACKWELL, "12.9", 575),
        ComputeCapability("12.0", BLACKWELL, "12.8", 570),
        ComputeCapability("12.1", BLACKWELL, "12.9", 575),
    )
}

# (pattern over the normalised name, compute capability); the first match wins, so more
# specific names come first ("RTX 6000 Ada" before "Quadro RTX 6000").
_NAME_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bG?B300\b|\bB300A\b", "10.3"),
    (r"\bG?B(100|200)\b", "10.0"),
    (r"\bGB10\b|\bDGX SPARK\b", "12.1"),
    (r"\bRTX PRO \d+ BLACKWELL\b|\bRTX 50[5-9]0\b", "12.0"),
    (r"\bG?H(100|200|800|20)\b", "9.0"),
    (r"\bRTX \d+ ADA\b|\bRTX 40[5-9]0\b|\bL(4|40|40S|20)\b", "8.9"),
    (r"\bA(100|30|800)\b", "8.0"),
    (r"\bRTX A\d+\b|\bRTX 30[5-9]0\b|\bA(2|10|10G|16|40)\b", "8.6"),
    (r"\bT4\b|\bRTX 20[6-8]0\b|\bTITAN RTX\b|\bQUADRO RTX\b|\bGTX 16[5-6]0\b", "7.5"),
    (r"\bV100S?\b|\bTITAN V\b", "7.0"),
    (r"\bP100\b", "6.0"),
    (r"\bP(4|40|6000)\b|\bGTX 10[5-8]0\b|(?<!GTX )\bTITAN XP?\b", "6.1"),
    (r"\bM(4|40|60|6000)\b|\bGTX 9[5-8]0\b|\bGTX TITAN X\b", "5.2"),
    (r"\bGTX 750\b|\bM10\b", "5.0"),
    (r"\bK80\b", "3.7"),
    (r"\bK(20|40)\b", "3.5"),
)


def binary_compatible(capability: ComputeCapability, release_key: tuple[int, ...]) -> bool:
    """Can code a CUDA release builds run on `capability` without JIT?

    Cubins for X.y run on X.z for z >= y (NVIDIA's binary compatibility rule), so the
    release needs to know `capability` or an older one of the same major.
    """
    major, minor = (int(part) for part in capability.version.split("."))
    for other in CAPABILITIES.values():
        other_major, other_minor = (int(part) for part in other.version.split("."))
        if other_major == major and other_minor <= minor:
            first = tuple(int(part) for part in other.first_cuda.split("."))
            if first <= release_key:
                return True
    return False


def normalise_gpu_name(name: str) -> str:
    """Upper case, with `-`/`_` as spaces, so `A100-SXM4-80GB` reads `A100 SXM4 80GB`."""
    return " ".join(re.sub(r"[-_]", " ", name.upper()).split())


def capability_of(gpu_name: str) -> ComputeCapability | None:
    """The compute capability of a GPU as nvidia-smi names it, or None if unknown."""
    normalised = normalise_gpu_name(gpu_name)
    for pattern, version in _NAME_PATTERNS:
        if re.search(pattern, normalised):
            return CAPABILITIES[version]
    return None
