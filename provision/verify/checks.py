"""The checks a host must pass, derived from its desired `HostState` (never a hand-kept list).

Pure: each `Check` names what it looks at (the resource) and what must hold of it (the
assertion); `provision.verify.assertions` turns its `kind` and `parameters` into testinfra
calls on the host.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provision.facts.provision_state import STATE_DIR
from provision.models import HostState
from provision.models.cuda import CudaToolkit
from provision.models.cudnn import CudnnBuild
from provision.tasks.driver import driver_packages

SMOKE_PATH = f"{STATE_DIR}/verify"
"""Where verify puts the programs it runs as root: in provision's own folder, root's alone
(a fixed path under /tmp or /var/tmp could be made first, and owned, by any user)."""


@dataclass(frozen=True)
class Check:
    """One assertion about one resource of a host."""

    name: str
    kind: str
    resource: str
    assertion: str
    parameters: dict[str, str] = field(default_factory=dict)
    depends_on: str = ""
    """The name of an earlier check of the host; when it fails this one is skipped."""


def _driver_checks(state: HostState) -> list[Check]:
    driver = state.driver
    if driver is None:
        return []
    checks = []
    if driver.blacklist_nouveau:
        checks.append(Check(
            "nouveau blacklisted", "nouveau-blacklisted", "/etc/modprobe.d",
            "a modprobe.d file blacklists nouveau and sets modeset=0",
        ))  # fmt: skip
    checks.append(Check(
        "nouveau not loaded", "nouveau-not-loaded", "/proc/modules", "nouveau is not loaded",
    ))  # fmt: skip
    if driver.source == "apt":
        packages = driver_packages(driver)
        checks.append(Check(
            f"driver package {packages[0]}", "driver-package", packages[0],
            f"installed at {driver.version}" + (" and held" if driver.hold else ""),
            {"packages": " ".join(packages), "version": driver.version,
             "hold": "yes" if driver.hold else "no"},
        ))  # fmt: skip
    checks.append(Check(
        "driver module loaded = installed", "driver-module", "/proc/driver/nvidia/version",
        f"the loaded NVIDIA module is {driver.version}, as installed",
        {"version": driver.version},
    ))  # fmt: skip
    checks.append(Check(
        "nvidia-smi answers", "nvidia-smi", "nvidia-smi",
        "nvidia-smi lists the GPUs with the desired driver"
        + ("" if state.verify.require_gpu else " (skipped when the host has no GPU)"),
        {"version": driver.version, "require_gpu": _flag(state.verify.require_gpu)},
    ))  # fmt: skip
    return checks


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def _toolkit_checks(state: HostState) -> list[Check]:
    checks = [
        Check(
            f"cuda {toolkit.release} nvcc",
            "nvcc-version",
            f"{toolkit.path}/bin/nvcc",
            f"nvcc --version reports release {toolkit.release}",
            {"path": toolkit.path, "version": toolkit.version, "release": toolkit.release},
        )
        for toolkit in state.cuda_toolkits
    ]
    active = state.active_toolkit()
    if active is None:
        return checks
    checks.append(Check(
        "/usr/local/cuda is active", "cuda-symlink", "/usr/local/cuda",
        f"a symlink to {active.path} (CUDA {active.release})", {"target": active.path},
    ))  # fmt: skip
    checks.extend(
        Check(
            f"login shell of {user}",
            "login-shell",
            f"~{user}/.bashrc",
            f"a login shell of {user} finds {active.path}/bin/nvcc and CUDA_HOME={active.path}",
            {"user": user, "path": active.path},
        )
        for user in state.shell_profile.users
    )
    return checks


def _cudnn_check(major: str, build: CudnnBuild, toolkits: list[CudaToolkit]) -> list[Check]:
    if build.source == "apt":
        return [Check(
            f"cudnn for cuda {major}", "cudnn", "/usr/include",
            f"cudnn_version.h says {build.version} and libcudnn.so.{build.version.split('.')[0]} "
            "is installed",
            {"version": build.version, "include": "/usr/include",
             "lib": "/usr/lib"},
        )]  # fmt: skip
    return [
        Check(
            f"cudnn in cuda {toolkit.release}",
            "cudnn",
            f"{toolkit.path}/include",
            f"cudnn_version.h says {build.version} and libcudnn.so is in {toolkit.path}/lib64",
            {
                "version": build.version,
                "include": f"{toolkit.path}/include",
                "lib": f"{toolkit.path}/lib64",
            },
            depends_on=f"cuda {toolkit.release} nvcc",
        )
        for toolkit in toolkits
    ]


def _cudnn_checks(state: HostState) -> list[Check]:
    checks = []
    for major, build in sorted(state.cudnn.items(), key=lambda item: int(item[0])):
        toolkits = [toolkit for toolkit in state.cuda_toolkits if toolkit.major == major]
        checks.extend(_cudnn_check(major, build, toolkits))
    return checks


def _conda_checks(state: HostState) -> list[Check]:
    conda = state.conda
    if conda is None:
        return []
    checks = []
    for env in conda.envs:
        prefix = f"{conda.prefix}/envs/{env.name}"
        checks.append(Check(
            f"conda env {env.name}", "conda-env", prefix,
            f"the env exists with python {env.python}",
            {"prefix": prefix, "python": env.python},
        ))  # fmt: skip
        if env.pytorch is not None:
            python = f"{prefix}/bin/python"
            checks.append(Check(
                f"pytorch build in {env.name}", "smoke-build", python,
                f"the smoke test imports torch {env.pytorch.version} built for "
                f"{env.pytorch.variant}",
                {"python": python, "version": env.pytorch.version,
                 "variant": env.pytorch.variant, "cudnn": _cudnn_for(state, env.pytorch.variant)},
                depends_on=f"conda env {env.name}",
            ))  # fmt: skip
            checks.append(Check(
                f"pytorch on the GPUs in {env.name}", "smoke-gpu", python,
                "CUDA is available and matmul and conv2d on every GPU agree with the CPU"
                + ("" if state.verify.require_gpu else " (skipped when the host has no GPU)"),
                {"python": python, "require_gpu": _flag(state.verify.require_gpu)},
                depends_on=f"conda env {env.name}",
            ))  # fmt: skip
    return checks


def _cudnn_for(state: HostState, variant: str) -> str:
    """The desired cuDNN version for a `cuXYZ` build's CUDA major ('' when none is declared)."""
    if not variant.startswith("cu"):
        return ""
    major = variant[2:-1]
    build = state.cudnn.get(major)
    return build.version if build else ""


def _libtorch_checks(state: HostState) -> list[Check]:
    libtorch = state.libtorch
    if libtorch is None:
        return []
    return [
        Check(
            "libtorch build-version",
            "libtorch-version",
            f"{libtorch.path}/build-version",
            f"says {libtorch.version}+{libtorch.variant}",
            {"path": libtorch.path, "version": libtorch.version, "variant": libtorch.variant},
        ),
        Check(
            "libtorch example builds and runs",
            "libtorch-build",
            libtorch.path,
            "CMake builds the notes' example against it and it prints a 2x3 tensor",
            {"path": libtorch.path, "workdir": f"{SMOKE_PATH}/libtorch-example"},
            depends_on="libtorch build-version",
        ),
    ]


def derive_checks(state: HostState) -> list[Check]:
    """Every check `state` implies, in the order the notes set a workstation up."""
    return [
        *_driver_checks(state),
        *_toolkit_checks(state),
        *_cudnn_checks(state),
        *_conda_checks(state),
        *_libtorch_checks(state),
    ]
