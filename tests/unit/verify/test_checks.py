"""Checks are derived from the desired state: every declared thing gets its check."""

from __future__ import annotations

from typing import Any

from provision.models import HostState
from provision.verify import derive_checks

WORKSTATION: dict[str, Any] = {
    "driver": {"version": "535.154.05"},
    "cuda_toolkits": [{"version": "11.8.0"}, {"version": "12.1.1"}],
    "active_cuda": "11.8",
    "cudnn": {"11": {"version": "8.9.7.29"}, "12": {"version": "8.9.7.29", "source": "tarball"}},
    "conda": {"envs": [{"name": "torch", "python": "3.11",
                        "pytorch": {"version": "2.5.1", "variant": "cu118"}}]},
    "libtorch": {"version": "2.5.1", "variant": "cu118"},
    "shell_profile": {"users": ["root", "ops"]},
}  # fmt: skip


def test_a_workstation_gets_one_check_per_declared_thing() -> None:
    checks = derive_checks(HostState.model_validate(WORKSTATION))
    kinds = [check.kind for check in checks]
    assert kinds == [
        "nouveau-blacklisted", "nouveau-not-loaded", "driver-package", "driver-module",
        "nvidia-smi", "nvcc-version", "nvcc-version",
        "cuda-program-build", "cuda-program-run", "cuda-program-build", "cuda-program-run",
        "cuda-symlink", "cuda-alternative", "login-shell",
        "login-shell", "cudnn", "cudnn", "conda-env", "smoke-build", "smoke-gpu",
        "libtorch-version", "libtorch-build",
    ]  # fmt: skip
    names = [check.name for check in checks]
    assert len(set(names)) == len(names)


def test_parameters_come_from_the_state() -> None:
    checks = {check.name: check for check in derive_checks(HostState.model_validate(WORKSTATION))}
    assert checks["/usr/local/cuda is active"].parameters == {"target": "/usr/local/cuda-11.8"}
    assert checks["login shell of ops"].parameters == {
        "user": "ops",
        "path": "/usr/local/cuda-11.8",
    }
    assert checks["cudnn in cuda 12.1"].parameters["include"] == "/usr/local/cuda-12.1/include"
    assert checks["cudnn for cuda 11"].parameters["include"] == "/usr/include"
    assert checks["pytorch build in torch"].parameters["cudnn"] == "8.9.7.29"
    assert checks["driver packages"].parameters == {
        "origin": "nvidia", "version": "535.154.05", "open": "no", "server": "no", "hold": "yes"
    }  # fmt: skip
    assert checks["cuda alternatives select the active toolkit"].parameters == {
        "target": "/usr/local/cuda-11.8", "required": "yes"
    }  # fmt: skip
    assert checks["libtorch build-version"].parameters == {
        "path": "/opt/libtorch", "version": "2.5.1", "variant": "cu118"
    }  # fmt: skip


def test_an_empty_state_has_no_checks_and_a_cpu_only_state_allows_no_gpu() -> None:
    assert derive_checks(HostState()) == []
    state = HostState.model_validate({**WORKSTATION, "verify": {"require_gpu": False}})
    smoke = next(check for check in derive_checks(state) if check.kind == "smoke-gpu")
    assert smoke.parameters["require_gpu"] == "no"
    assert "skipped when the host has no GPU" in smoke.assertion


def test_without_a_blacklist_or_hold_those_parts_are_not_asserted() -> None:
    state = HostState.model_validate(
        {"driver": {"version": "550.54.14", "blacklist_nouveau": False, "hold": False}}
    )
    checks = derive_checks(state)
    assert "nouveau-blacklisted" not in [check.kind for check in checks]
    package = next(check for check in checks if check.kind == "driver-package")
    assert package.parameters["hold"] == "no" and "held" not in package.assertion


def test_each_toolkit_builds_a_program_that_runs_only_after_it_built() -> None:
    checks = {check.name: check for check in derive_checks(HostState.model_validate(WORKSTATION))}
    build = checks["cuda 12.1 program compiles and links"]
    run = checks["cuda 12.1 program runs"]
    assert build.depends_on == "cuda 12.1 nvcc"
    assert run.depends_on == build.name
    assert build.parameters == {
        "path": "/usr/local/cuda-12.1", "release": "12.1", "enabled": "yes",
        "workdir": "/var/lib/provision/verify/cuda-12.1-program", "require_gpu": "yes",
    }  # fmt: skip


def test_a_toolkit_with_program_check_off_keeps_its_checks_marked_off() -> None:
    state = HostState.model_validate(
        {"driver": {"version": "580.95.05"},
         "cuda_toolkits": [{"version": "13.0.2"}, {"version": "12.1.1", "program_check": False}],
         "active_cuda": "13.0", "verify": {"require_gpu": False}}
    )  # fmt: skip
    checks = {check.name: check for check in derive_checks(state)}
    assert checks["cuda 13.0 program runs"].parameters["enabled"] == "yes"
    assert checks["cuda 13.0 program runs"].parameters["require_gpu"] == "no"
    off = checks["cuda 12.1 program compiles and links"]
    assert off.parameters["enabled"] == "no" and "program_check is false" in off.assertion
