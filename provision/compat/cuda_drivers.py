"""Minimum Linux x86_64 driver per CUDA toolkit, and the minor-version-compatibility floors.

Data, with its sources. Versions are compared numerically field by field
(`provision.models.versions.version_key`), so 570.124.06 > 570.26.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TOOLKIT_DRIVER_SOURCE = (
    "NVIDIA CUDA Toolkit Release Notes, table 'CUDA Toolkit and Corresponding Driver Versions' "
    "(https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/index.html)"
)
MINOR_COMPAT_SOURCE = (
    "NVIDIA CUDA Compatibility guide, 'Minor Version Compatibility' "
    "(https://docs.nvidia.com/deploy/cuda-compatibility/)"
)


@dataclass(frozen=True)
class ToolkitDriver:
    """The minimum driver of one CUDA X.Y release: GA, and its updates where they differ."""

    ga: str
    updates: dict[int, str] = field(default_factory=dict)

    def minimum(self, patch: int) -> str:
        """The minimum driver for toolkit X.Y.<patch>."""
        return self.updates.get(patch, self.ga)


# CUDA X.Y -> minimum driver; update numbers are the toolkit's patch version (11.7.1 = Update 1).
# Source: TOOLKIT_DRIVER_SOURCE. There is no CUDA 12.7.
TOOLKIT_MINIMUM_DRIVER: dict[str, ToolkitDriver] = {
    "11.0": ToolkitDriver("450.51.05", {1: "450.36.06", 3: "450.51.06"}),
    "11.1": ToolkitDriver("455.23", {1: "455.32"}),
    "11.2": ToolkitDriver("460.27.03", {1: "460.32.03", 2: "460.32.03"}),
    "11.3": ToolkitDriver("465.19.01"),
    "11.4": ToolkitDriver(
        "470.42.01", {1: "470.57.02", 2: "470.57.02", 3: "470.82.01", 4: "470.82.01"}
    ),
    "11.5": ToolkitDriver("495.29.05"),
    "11.6": ToolkitDriver("510.39.01", {1: "510.47.03", 2: "510.47.03"}),
    "11.7": ToolkitDriver("515.43.04", {1: "515.48.07"}),
    "11.8": ToolkitDriver("520.61.05"),
    "12.0": ToolkitDriver("525.60.13", {1: "525.85.12"}),
    "12.1": ToolkitDriver("530.30.02"),
    "12.2": ToolkitDriver("535.54.03", {1: "535.86.09", 2: "535.104.05"}),
    "12.3": ToolkitDriver("545.23.06", {1: "545.23.08", 2: "545.23.08"}),
    "12.4": ToolkitDriver("550.54.14", {1: "550.54.15"}),
    "12.5": ToolkitDriver("555.42.02", {1: "555.42.06"}),
    "12.6": ToolkitDriver("560.28.03", {1: "560.35.03", 2: "560.35.03", 3: "560.35.05"}),
    "12.8": ToolkitDriver("570.26", {1: "570.124.06"}),
    "12.9": ToolkitDriver("575.51.03", {1: "575.57.08"}),
    "13.0": ToolkitDriver("580.65.06", {1: "580.82.07", 2: "580.95.05"}),
    "13.1": ToolkitDriver("590.44.01", {1: "590.48.01"}),
    "13.2": ToolkitDriver("595.45.04", {1: "595.58.03"}),
}

# CUDA releases that NVIDIA never published (the 12.x line skips 12.7).
NONEXISTENT_RELEASES: frozenset[str] = frozenset({"12.7"})

# CUDA major -> the oldest driver that runs anything built with that major's toolkits
# (minor version compatibility: no JIT of PTX newer than the driver, some APIs missing).
# Source: MINOR_COMPAT_SOURCE. NVIDIA states 13.x as ">= 580"; 580.65.06 is the first
# driver of that branch (CUDA 13.0 GA's minimum).
MINOR_VERSION_FLOOR: dict[str, str] = {
    "11": "450.80.02",
    "12": "525.60.13",
    "13": "580.65.06",
}

MINOR_COMPAT_LIMITATION = (
    "it runs under CUDA minor version compatibility only: PTX newer than the driver "
    "cannot be JIT-compiled and features that need the newer driver are missing"
)

# The first driver release of NVIDIA's open GPU kernel modules (R515).
# Source: NVIDIA driver installation guide, 'NVIDIA Open GPU Kernel Modules'
# (https://docs.nvidia.com/datacenter/tesla/driver-installation-guide/).
OPEN_KERNEL_MODULES_MINIMUM = "515.43.04"
