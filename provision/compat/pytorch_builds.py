"""PyTorch releases and the build variants they publish, for pip, conda and libtorch.

Sources: PyTorch's "Previous PyTorch Versions" page
(https://pytorch.org/get-started/previous-versions/), one section per release with its pip
wheel indexes and, up to 2.5.1, its `pytorch-cuda=X.Y` conda commands; pytorch/pytorch
RELEASE.md ("Release Compatibility Matrix") and the RFCs and PRs named per row for
releases after 2.9. libtorch archives are published for the same variants as the wheels
(https://download.pytorch.org/libtorch/<variant>/).
"""

from __future__ import annotations

from dataclasses import dataclass

PREVIOUS_VERSIONS = "https://pytorch.org/get-started/previous-versions/"

# The last release published to the `pytorch` conda channel (pytorch/pytorch issue #138506).
LAST_CONDA_RELEASE = "2.5.1"


@dataclass(frozen=True)
class TorchRelease:
    """The variants one release publishes: pip wheel indexes and conda `pytorch-cuda` versions.

    `complete` says the source lists every variant; otherwise only variants older than the
    oldest listed one are known to be missing.
    """

    wheel_variants: frozenset[str]
    conda_cuda: frozenset[str]
    source: str
    complete: bool = True


def _release(
    wheels: str, conda: str = "", source: str = PREVIOUS_VERSIONS, complete: bool = True
) -> TorchRelease:
    return TorchRelease(frozenset(wheels.split()), frozenset(conda.split()), source, complete)


_V2_0 = _release("cu117 cu118 cpu", "11.7 11.8")
_V2_1_TO_2_3 = _release("cu118 cu121 cpu", "11.8 12.1")
_V2_4_TO_2_5 = _release("cu118 cu121 cu124 cpu", "11.8 12.1 12.4")
_V2_7 = _release("cu118 cu126 cu128 cpu")
_V2_9 = _release(
    "cu126 cu128 cu129 cu130 cpu",
    source=f"{PREVIOUS_VERSIONS} (cu126, cu128, cu130) and the cu129 index's 2.9.x wheels",
)
_V2_10_TO_2_11 = _release(
    "cu126 cu128 cu130 cpu",
    source="pytorch/pytorch RELEASE.md CUDA support matrix for 2.10 and 2.11 (PR #175253, "
    "issue #172663)",
    complete=False,
)
_V2_12_TO_2_14 = _release(
    "cu126 cu130 cu132 cpu",
    source="pytorch/pytorch RELEASE.md for 2.12-2.14: CUDA 12.6 legacy, 13.0 stable, 13.2 "
    "(issue #178665, PRs #182849, #187075, #194367; 2.12 drops CUDA 12.8)",
)

TORCH_RELEASES: dict[str, TorchRelease] = {
    "2.0.0": _V2_0,
    "2.0.1": _V2_0,
    "2.1.0": _V2_1_TO_2_3,
    "2.1.1": _V2_1_TO_2_3,
    "2.1.2": _V2_1_TO_2_3,
    "2.2.0": _V2_1_TO_2_3,
    "2.2.1": _V2_1_TO_2_3,
    "2.2.2": _V2_1_TO_2_3,
    "2.3.0": _V2_1_TO_2_3,
    "2.3.1": _V2_1_TO_2_3,
    "2.4.0": _V2_4_TO_2_5,
    "2.4.1": _V2_4_TO_2_5,
    "2.5.0": _V2_4_TO_2_5,
    "2.5.1": _V2_4_TO_2_5,
    "2.6.0": _release("cu118 cu124 cu126 cpu"),
    "2.7.0": _V2_7,
    "2.7.1": _V2_7,
    "2.8.0": _release("cu126 cu128 cu129 cpu"),
    "2.9.0": _V2_9,
    "2.9.1": _V2_9,
    "2.10.0": _V2_10_TO_2_11,
    "2.11.0": _V2_10_TO_2_11,
    "2.12.0": _V2_12_TO_2_14,
    "2.12.1": _V2_12_TO_2_14,
    "2.13.0": _V2_12_TO_2_14,
    "2.14.0": _V2_12_TO_2_14,
    "2.14.1": _V2_12_TO_2_14,
}


def conda_cuda_of(variant: str) -> str:
    """The `pytorch-cuda` version of a variant: cu118 -> 11.8 (cpu -> cpuonly)."""
    if variant == "cpu":
        return "cpuonly"
    digits = variant.removeprefix("cu")
    return f"{digits[:-1]}.{digits[-1]}"
