"""`check_gpus`: can the declared driver, toolkits and builds serve a host's GPUs?"""

from __future__ import annotations

from collections.abc import Sequence

from provision.compat.architectures import ComputeCapability, binary_compatible, capability_of
from provision.compat.finding import Finding, error, warning
from provision.models.state import HostState
from provision.models.versions import variant_cuda_release, version_key


def check_gpus(state: HostState, gpu_names: Sequence[str]) -> list[Finding]:
    """Findings for running `state` on GPUs named as nvidia-smi names them, errors first.

    Pure: the caller gathers the names (facts) and refuses the host on any error.
    """
    findings: list[Finding] = []
    for name in gpu_names:
        capability = capability_of(name)
        if capability is None:
            findings.append(
                warning(
                    ("driver.version",),
                    f"the compatibility matrix does not know the GPU '{name}': its support by "
                    "the driver and CUDA is not checked",
                )
            )
            continue
        gpu = f"{name} ({capability.architecture.name}, compute capability {capability.version})"
        findings += _check_driver(state, capability, gpu)
        findings += _check_cuda_releases(state, capability, gpu)
    return sorted(findings, key=lambda finding: finding.level != "error")


def _check_driver(state: HostState, capability: ComputeCapability, gpu: str) -> list[Finding]:
    driver = state.driver
    if driver is None:
        return []
    architecture = capability.architecture
    branch = int(driver.version.split(".")[0])
    findings = []
    if branch < capability.first_driver_branch:
        findings.append(
            error(
                ("driver.version",),
                f"driver {driver.version} does not support {gpu}: it "
                f"needs driver branch {capability.first_driver_branch} or later",
            )
        )
    if architecture.last_driver_branch is not None and branch > architecture.last_driver_branch:
        findings.append(
            error(
                ("driver.version",),
                f"driver {driver.version} does not support {gpu}: "
                f"{architecture.name} ends with driver branch {architecture.last_driver_branch}",
            )
        )
    if architecture.requires_open_modules and not driver.open_kernel_modules:
        findings.append(
            error(
                ("driver.open_kernel_modules",),
                f"{gpu} needs NVIDIA's open kernel modules: set open_kernel_modules: true",
            )
        )
    if driver.open_kernel_modules and not architecture.open_modules:
        findings.append(
            error(
                ("driver.open_kernel_modules",),
                f"the open kernel modules do not support {gpu} (Turing or later only)",
            )
        )
    return findings


def _cuda_targets(state: HostState) -> list[tuple[str, str | None, str]]:
    """(field, CUDA X.Y or None for cpu, what) of every toolkit and build in the state."""
    targets: list[tuple[str, str | None, str]] = [
        (f"cuda_toolkits[{index}].version", toolkit.release, f"CUDA {toolkit.version}")
        for index, toolkit in enumerate(state.cuda_toolkits)
    ]
    envs = state.conda.envs if state.conda is not None else ()
    for index, env in enumerate(envs):
        if env.pytorch is not None:
            variant = env.pytorch.variant
            what = f"PyTorch {env.pytorch.version}+{variant}"
            field = f"conda.envs[{index}].pytorch.variant"
            targets.append((field, variant_cuda_release(variant), what))
    if state.libtorch is not None:
        variant = state.libtorch.variant
        what = f"libtorch {state.libtorch.version}+{variant}"
        targets.append(("libtorch.variant", variant_cuda_release(variant), what))
    return targets


def _check_cuda_releases(
    state: HostState, capability: ComputeCapability, gpu: str
) -> list[Finding]:
    findings = []
    for field, release, what in _cuda_targets(state):
        if release is None:
            continue
        last_major = capability.architecture.last_cuda_major
        if last_major is not None and int(release.split(".")[0]) > last_major:
            reason = f"{capability.architecture.name} ends with CUDA {last_major}.x"
            findings.append(error((field,), f"{what} cannot run on {gpu}: {reason}"))
        elif version_key(release) < version_key(capability.first_cuda):
            findings.append(_predates(field, release, what, gpu, capability))
    return findings


def _predates(
    field: str, release: str, what: str, gpu: str, capability: ComputeCapability
) -> Finding:
    """A release older than the GPU. A toolkit still builds code that runs there (binary
    compatible cubins or PTX the driver JIT-compiles): a warning. A prebuilt PyTorch or
    libtorch without any kernel of the GPU's major has nothing to run: an error."""
    reason = f"compute capability {capability.version} needs CUDA {capability.first_cuda} or later"
    if field.startswith("cuda_toolkits"):
        return warning(
            (field,),
            f"{what} cannot build native code for {gpu} ({reason}); only code for older "
            "compute capabilities or PTX JIT-compiled by the driver runs there",
        )
    if binary_compatible(capability, version_key(release)):
        return warning(
            (field,),
            f"{what} predates {gpu} ({reason}); it runs kernels built for an older compute "
            f"capability {capability.version.split('.')[0]}.x",
        )
    return error((field,), f"{what} has no kernels for {gpu}: {reason}")
