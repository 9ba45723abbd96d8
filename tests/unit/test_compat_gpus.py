"""GPU architectures: name lookup, and whether a state's driver and CUDA serve a host's GPUs."""

from __future__ import annotations

from typing import Any

import pytest

from provision.compat import capability_of, check_gpus
from provision.models import HostState, parse_host_state


@pytest.mark.parametrize(
    ("name", "architecture", "capability"),
    [
        ("NVIDIA GeForce RTX 4090", "Ada Lovelace", "8.9"),
        ("NVIDIA RTX 6000 Ada Generation", "Ada Lovelace", "8.9"),
        ("NVIDIA L40S", "Ada Lovelace", "8.9"),
        ("NVIDIA RTX A6000", "Ampere", "8.6"),
        ("NVIDIA GeForce RTX 3090", "Ampere", "8.6"),
        ("NVIDIA A10", "Ampere", "8.6"),
        ("NVIDIA A100-SXM4-80GB", "Ampere", "8.0"),
        ("NVIDIA H100 80GB HBM3", "Hopper", "9.0"),
        ("NVIDIA GH200 480GB", "Hopper", "9.0"),
        ("NVIDIA B200", "Blackwell", "10.0"),
        ("NVIDIA GeForce RTX 5090", "Blackwell", "12.0"),
        ("NVIDIA RTX PRO 6000 Blackwell Workstation Edition", "Blackwell", "12.0"),
        ("Tesla T4", "Turing", "7.5"),
        ("Quadro RTX 6000", "Turing", "7.5"),
        ("NVIDIA GeForce RTX 2080 Ti", "Turing", "7.5"),
        ("Tesla V100-SXM2-16GB", "Volta", "7.0"),
        ("Tesla P100-PCIE-16GB", "Pascal", "6.0"),
        ("NVIDIA GeForce GTX 1080 Ti", "Pascal", "6.1"),
        ("NVIDIA TITAN Xp", "Pascal", "6.1"),
        ("GeForce GTX TITAN X", "Maxwell", "5.2"),
        ("Tesla M60", "Maxwell", "5.2"),
        ("Tesla K80", "Kepler", "3.7"),
    ],
)
def test_gpu_names_map_to_their_architecture(name: str, architecture: str, capability: str) -> None:
    found = capability_of(name)
    assert found is not None
    assert (found.architecture.name, found.version) == (architecture, capability)


def test_an_unknown_name_maps_to_nothing() -> None:
    assert capability_of("Matrox G200eW") is None


def host(driver: str, *toolkits: str, open_modules: bool = False, **more: Any) -> HostState:
    sections: dict[str, Any] = {
        "driver": {"version": driver, "open_kernel_modules": open_modules},
        "cuda_toolkits": [{"version": version} for version in toolkits],
        **more,
    }
    if toolkits:
        sections["active_cuda"] = toolkits[0][:4]
    return parse_host_state(sections, "w")


def levels_and_fields(findings: list[Any]) -> list[tuple[str, tuple[str, ...]]]:
    return [(finding.level, finding.fields) for finding in findings]


def test_a_supported_host_has_no_findings() -> None:
    state = host("570.124.06", "12.8.1", open_modules=True)
    assert (
        check_gpus(state, ["NVIDIA H100 80GB HBM3", "NVIDIA B200", "NVIDIA GeForce RTX 4090"]) == []
    )
    assert check_gpus(state, []) == []


def test_pascal_ends_with_driver_branch_580_and_cuda_12() -> None:
    findings = check_gpus(host("590.44.01", "13.1.0"), ["NVIDIA GeForce GTX 1080 Ti"])
    assert levels_and_fields(findings) == [
        ("error", ("driver.version",)),
        ("error", ("cuda_toolkits[0].version",)),
    ]
    assert "580" in findings[0].message and "CUDA 12.x" in findings[1].message


def test_blackwell_needs_a_recent_driver_with_the_open_kernel_modules() -> None:
    findings = check_gpus(host("535.154.05"), ["NVIDIA GeForce RTX 5090"])
    assert levels_and_fields(findings) == [
        ("error", ("driver.version",)),
        ("error", ("driver.open_kernel_modules",)),
    ]
    assert "570" in findings[0].message and "open_kernel_modules: true" in findings[1].message


def test_the_open_kernel_modules_do_not_drive_volta() -> None:
    finding = check_gpus(host("570.124.06", open_modules=True), ["Tesla V100-SXM2-16GB"])
    assert levels_and_fields(finding) == [("error", ("driver.open_kernel_modules",))]


def test_releases_older_than_the_gpu() -> None:
    state = host(
        "535.154.05",
        "11.7.1",
        libtorch={"version": "2.0.1", "variant": "cu117"},
    )
    ada = check_gpus(state, ["NVIDIA GeForce RTX 4090"])
    assert levels_and_fields(ada) == [
        ("warning", ("cuda_toolkits[0].version",)),
        ("warning", ("libtorch.variant",)),
    ]
    assert "8.x" in ada[1].message
    hopper = check_gpus(state, ["NVIDIA H100 80GB HBM3"])
    assert levels_and_fields(hopper) == [
        ("error", ("libtorch.variant",)),
        ("warning", ("cuda_toolkits[0].version",)),
    ]
    assert "has no kernels" in hopper[0].message


def test_a_pytorch_build_for_cuda_12_6_has_no_blackwell_kernels() -> None:
    envs = [{"name": "t", "python": "3.11", "pytorch": {"version": "2.13.0", "variant": "cu126"}}]
    state = host("570.124.06", open_modules=True, conda={"envs": envs})
    findings = check_gpus(state, ["NVIDIA B200"])
    assert levels_and_fields(findings) == [("error", ("conda.envs[0].pytorch.variant",))]
    assert check_gpus(state, ["NVIDIA H100 80GB HBM3"]) == []


def test_cpu_builds_run_anywhere() -> None:
    state = host("535.154.05", libtorch={"version": "2.13.0", "variant": "cpu"})
    assert check_gpus(state, ["Tesla V100-SXM2-16GB"]) == []


def test_an_unknown_gpu_is_a_warning_that_says_so() -> None:
    findings = check_gpus(host("535.154.05"), ["Matrox G200eW"])
    assert levels_and_fields(findings) == [("warning", ("driver.version",))]
    assert "does not know the GPU 'Matrox G200eW'" in findings[0].message
