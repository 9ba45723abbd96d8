"""NVIDIA's real compiler on a lab host: CUDA 13.0 from apt, and verify's CUDA program.

The lab mirror's CUDA 13.0 packages hold NVIDIA's own files from NVIDIA's PyPI wheels, so
a host that installs `cuda-toolkit-13-0` has NVIDIA's `nvcc`. Verify builds a vector add
with it; the lab has no GPU (and its driver is a stand-in), so the program's run is
skipped with CUDA's own reason, never passed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner
from tests.scenarios.conftest import Provision, write_inventory

pytestmark = pytest.mark.lab

CUDA_13_PLAYBOOK = """\
- name: NVIDIA's CUDA 13.0 compiler
  hosts: all
  state:
    driver: {version: "580.95.05"}
    cuda_toolkits:
      - {version: "13.0.2", source: apt}
    sources: "{{ provision_sources }}"
    verify: {require_gpu: false}
"""
NVCC = "/usr/local/cuda-13.0/bin/nvcc"


def test_cuda_13_brings_nvidias_nvcc_and_verify_builds_a_program_it_cannot_run_here(
    lab: RunningLab, new_host: Callable[..., LabHost], ssh: SshRunner, provision: Provision,
    tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host()
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    playbook = tmp_path / "cuda13.yaml"
    playbook.write_text(CUDA_13_PLAYBOOK)
    # Given a host that converged to a 580 driver and CUDA 13.0 from apt,
    applied = provision("apply", str(playbook), "-i", str(inventory), "--yes")
    assert applied.code == 0, applied.out + applied.err
    # its nvcc is NVIDIA's compiler: an ELF program of the cuda-nvcc-13-0 package,
    assert ssh(host, f"head -c 4 {NVCC} | od -An -c").stdout.split() == ["177", "E", "L", "F"]
    assert ssh(host, f"dpkg -S {NVCC}").stdout.startswith("cuda-nvcc-13-0: ")
    assert "Cuda compilation tools, release 13.0, V13.0.88" in ssh(host, f"{NVCC} --version").stdout
    # and verify builds the vector add with it, but cannot run it without a usable GPU.
    report = tmp_path / "report.json"
    verified = provision("verify", str(playbook), "-i", str(inventory), "--report", str(report))
    [checks] = json.loads(report.read_text())["hosts"].values()
    outcomes = {check["check"]: (check["outcome"], check["message"]) for check in checks}
    assert verified.code == 0, outcomes
    built, message = outcomes["cuda 13.0 program compiles and links"]
    assert built == "passed", message
    ran, reason = outcomes["cuda 13.0 program runs"]
    assert ran == "skipped"
    assert reason.startswith("driver insufficient (cudaErrorInsufficientDriver: CUDA driver")
