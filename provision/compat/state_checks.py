"""`check_compatibility`: the cross-checks of a desired state against the matrix."""

from __future__ import annotations

from provision.compat.cuda_drivers import OPEN_KERNEL_MODULES_MINIMUM
from provision.compat.cudnn_builds import APT_SINGLE_PACKAGE_MAJORS, cudnn_range
from provision.compat.driver_checks import check_driver_runs
from provision.compat.finding import Finding, error, warning
from provision.compat.torch_checks import check_libtorch, check_pytorch_envs
from provision.models.state import HostState
from provision.models.versions import version_key


def check_compatibility(state: HostState) -> list[Finding]:
    """Every error and warning the matrix finds in `state`, errors first.

    Pure: nothing is contacted. A GPU check needs the host's GPUs; see `check_gpus`.
    """
    findings = [
        *_check_driver(state),
        *_check_toolkits(state),
        *_check_cudnn(state),
        *check_pytorch_envs(state),
        *check_libtorch(state),
    ]
    return sorted(findings, key=lambda finding: finding.level != "error")


def _check_driver(state: HostState) -> list[Finding]:
    driver = state.driver
    if driver is None or not driver.open_kernel_modules:
        return []
    if version_key(driver.version) < version_key(OPEN_KERNEL_MODULES_MINIMUM):
        return [
            error(
                ("driver.version", "driver.open_kernel_modules"),
                f"driver {driver.version} has no open kernel modules: they start with "
                f"{OPEN_KERNEL_MODULES_MINIMUM} (R515)",
            )
        ]
    return []


def _check_toolkits(state: HostState) -> list[Finding]:
    if state.driver is None:
        return []
    findings: list[Finding] = []
    for index, toolkit in enumerate(state.cuda_toolkits):
        findings += check_driver_runs(
            state.driver.version,
            toolkit.release,
            int(toolkit.version.split(".")[2]),
            ("driver.version", f"cuda_toolkits[{index}].version"),
            f"CUDA {toolkit.version}",
        )
    return findings


def _check_cudnn(state: HostState) -> list[Finding]:
    findings: list[Finding] = []
    for major, build in state.cudnn.items():
        field = (f"cudnn.{major}.version",)
        row = cudnn_range(build.version)
        if row is None:
            findings.append(
                warning(
                    field,
                    f"the compatibility matrix does not know cuDNN {build.version}: whether it "
                    f"has a build for CUDA {major} is not checked",
                )
            )
        elif major not in row.cuda_majors:
            shipped = ", ".join(sorted(row.cuda_majors, key=int))
            make = error if row.complete else warning
            known = "ships" if row.complete else "is known to ship"
            findings.append(
                make(
                    field,
                    f"cuDNN {build.version} {known} builds for CUDA {shipped} only, "
                    f"not CUDA {major} ({row.source})",
                )
            )
    return findings + _check_cudnn_apt_packages(state)


def _check_cudnn_apt_packages(state: HostState) -> list[Finding]:
    by_package: dict[str, list[str]] = {}
    for major, build in state.cudnn.items():
        cudnn_major = build.version.split(".")[0]
        if build.source == "apt" and cudnn_major in APT_SINGLE_PACKAGE_MAJORS:
            by_package.setdefault(cudnn_major, []).append(major)
    findings = []
    for cudnn_major, cuda_majors in by_package.items():
        if len(cuda_majors) > 1:
            findings.append(
                error(
                    tuple(f"cudnn.{major}.source" for major in cuda_majors),
                    f"apt holds one libcudnn{cudnn_major} package at a time, so cuDNN "
                    f"{cudnn_major} for CUDA {' and '.join(cuda_majors)} cannot all come from apt: "
                    "use source: tarball for all but one",
                )
            )
    return findings
