"""The nvidia-smi stand-in: NVIDIA's table, CSV queries and NVML's errors and exit codes.

It runs from the unpacked 535 packages against simulated `/proc/driver/nvidia` files (the
ones the lab writes per boot), rooted with NVIDIA_SMI_LAB_ROOT.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

INFORMATION = """Model: \t\t NVIDIA GeForce RTX 3090
IRQ:   \t\t 139
GPU UUID: \t GPU-5f6e2a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b
Video BIOS: \t 94.02.42.00.a9
Bus Type: \t PCIe
DMA Size: \t 47 bits
DMA Mask: \t 0x7fffffffffff
Bus Location: \t 0000:01:00.0
Device Minor: \t 0
GPU Excluded:\t No
"""


def kernel_version_line(version: str) -> str:
    return (
        f"NVRM version: NVIDIA UNIX x86_64 Kernel Module  {version}  "
        "Thu Dec 28 15:37:48 UTC 2023\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n"
    )


@pytest.fixture
def host(unpack_debs: Callable[..., Path]) -> Path:
    return unpack_debs(
        ("nvidia-smi", "535.154"), ("libnvidia-ml1", "535.154"), ("libcuda1", "535.154")
    )


def boot(host: Path, loaded_version: str | None) -> None:
    """Write what the lab's boot writes: the loaded module's version and one GPU."""
    proc = host / "proc/driver/nvidia"
    if loaded_version is None:
        return
    (proc / "gpus/0000:01:00.0").mkdir(parents=True, exist_ok=True)
    (proc / "version").write_text(kernel_version_line(loaded_version))
    (proc / "gpus/0000:01:00.0/information").write_text(INFORMATION)


def smi(host: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NVIDIA_SMI_LAB_ROOT": str(host)}
    return subprocess.run(
        [str(host / "usr/bin/nvidia-smi"), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_no_loaded_module_fails_like_nvidia_smi(host: Path) -> None:
    result = smi(host)
    assert result.returncode == 9
    assert result.stdout.startswith(
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
    )


def test_older_loaded_module_is_nvml_version_mismatch(host: Path) -> None:
    boot(host, "515.105.01")
    result = smi(host)
    assert result.returncode == 18
    assert result.stdout.splitlines() == [
        "Failed to initialize NVML: Driver/library version mismatch",
        "NVML library version: 535.154",
    ]


def test_matching_module_prints_the_table(host: Path) -> None:
    boot(host, "535.154.05")
    result = smi(host)
    assert result.returncode == 0, result.stdout
    assert (
        "| NVIDIA-SMI 535.154.05             Driver Version: 535.154.05   CUDA Version: 12.2     |"
        in result.stdout
    )
    assert "NVIDIA GeForce RTX 3090" in result.stdout
    assert "00000000:01:00.0" in result.stdout
    widths = {len(line) for line in result.stdout.splitlines()[1:] if line.startswith(("|", "+"))}
    assert widths == {89}


def test_query_gpu_csv_noheader(host: Path) -> None:
    boot(host, "535.154.05")
    result = smi(
        host, "--query-gpu=name,driver_version,pci.bus_id,memory.total", "--format=csv,noheader"
    )
    assert result.returncode == 0
    assert result.stdout == "NVIDIA GeForce RTX 3090, 535.154.05, 00000000:01:00.0, 24576 MiB\n"


def test_query_gpu_csv_with_header_and_nounits(host: Path) -> None:
    boot(host, "535.154.05")
    result = smi(host, "--query-gpu=driver_version,memory.total", "--format=csv,nounits")
    assert result.stdout.splitlines() == ["driver_version, memory.total", "535.154.05, 24576"]


def test_unknown_query_field_is_rejected(host: Path) -> None:
    boot(host, "535.154.05")
    result = smi(host, "--query-gpu=name,flux", "--format=csv")
    assert result.returncode == 2
    assert 'Field "flux" is not a valid field to query.' in result.stdout


def test_unknown_flag_is_rejected(host: Path) -> None:
    boot(host, "535.154.05")
    result = smi(host, "--frobnicate")
    assert result.returncode == 2
    assert "Invalid combination of input arguments" in result.stdout


def test_list_gpus(host: Path) -> None:
    boot(host, "535.154.05")
    result = smi(host, "-L")
    assert result.stdout == (
        "GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-5f6e2a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b)\n"
    )
