"""Checks of PyTorch envs and libtorch: published variants, the conda route, the driver."""

from __future__ import annotations

from provision.compat.driver_checks import check_driver_runs
from provision.compat.finding import Finding, error, warning
from provision.compat.pytorch_builds import LAST_CONDA_RELEASE, TORCH_RELEASES, conda_cuda_of
from provision.models.conda import PyTorchBuild
from provision.models.state import HostState
from provision.models.versions import variant_cuda_release, version_key

# The last libtorch release with a pre-cxx11-ABI archive: from 2.7 all Linux builds use
# the cxx11 ABI on manylinux_2_28 (pytorch/pytorch issues #123649 and #149550).
LAST_PRE_CXX11_LIBTORCH = "2.6.0"


def check_pytorch_envs(state: HostState) -> list[Finding]:
    """Findings for the PyTorch build of every conda env."""
    if state.conda is None:
        return []
    findings: list[Finding] = []
    for index, env in enumerate(state.conda.envs):
        if env.pytorch is not None:
            findings += _check_pytorch(state, env.pytorch, f"conda.envs[{index}].pytorch")
    return findings


def check_libtorch(state: HostState) -> list[Finding]:
    """Findings for libtorch: a published variant, an ABI it ships, a driver that runs it."""
    libtorch = state.libtorch
    if libtorch is None:
        return []
    findings = _check_variant_published(libtorch.version, libtorch.variant, "libtorch", "libtorch")
    if not libtorch.cxx11_abi and version_key(libtorch.version) > version_key(
        LAST_PRE_CXX11_LIBTORCH
    ):
        findings.append(
            error(
                ("libtorch.cxx11_abi", "libtorch.version"),
                f"libtorch {libtorch.version} ships the cxx11 ABI only; the last pre-cxx11 "
                f"build is {LAST_PRE_CXX11_LIBTORCH} (pytorch/pytorch issue #149550)",
            )
        )
    what = f"libtorch {libtorch.version}+{libtorch.variant}"
    return findings + _check_variant_driver(state, libtorch.variant, "libtorch.variant", what)


def _check_pytorch(state: HostState, build: PyTorchBuild, prefix: str) -> list[Finding]:
    if build.route == "conda":
        findings = _check_conda_route(build, prefix)
    else:
        findings = _check_variant_published(build.version, build.variant, prefix, "PyTorch")
    what = f"PyTorch {build.version}+{build.variant}"
    return findings + _check_variant_driver(state, build.variant, f"{prefix}.variant", what)


def _check_conda_route(build: PyTorchBuild, prefix: str) -> list[Finding]:
    if version_key(build.version) > version_key(LAST_CONDA_RELEASE):
        return [
            error(
                (f"{prefix}.route", f"{prefix}.version"),
                f"PyTorch {build.version} is not on conda: the pytorch channel ended with "
                f"{LAST_CONDA_RELEASE} (pytorch/pytorch issue #138506); use route: pip",
            )
        ]
    release = TORCH_RELEASES.get(build.version)
    if release is None:
        return [_unknown_release(build.version, prefix)]
    wanted = conda_cuda_of(build.variant)
    if wanted != "cpuonly" and wanted not in release.conda_cuda:
        offered = ", ".join(sorted(release.conda_cuda, key=version_key))
        return [
            error(
                (f"{prefix}.variant",),
                f"pytorch-cuda={wanted} is not published for PyTorch {build.version}; conda "
                f"offers pytorch-cuda {offered} ({release.source})",
            )
        ]
    return []


def _check_variant_published(
    version: str, variant: str, prefix: str, product: str
) -> list[Finding]:
    release = TORCH_RELEASES.get(version)
    if release is None:
        return [_unknown_release(version, prefix)]
    if variant in release.wheel_variants:
        return []
    offered = ", ".join(sorted(release.wheel_variants))
    if release.complete or _older_than_every_cuda_variant(variant, release.wheel_variants):
        return [
            error(
                (f"{prefix}.variant",),
                f"{product} {version} is not published for {variant}; its variants are "
                f"{offered} ({release.source})",
            )
        ]
    return [
        warning(
            (f"{prefix}.variant",),
            f"the compatibility matrix knows {product} {version} for {offered}, not {variant}; "
            f"its list may be incomplete ({release.source})",
        )
    ]


def _older_than_every_cuda_variant(variant: str, published: frozenset[str]) -> bool:
    release = variant_cuda_release(variant)
    cuda_releases = [variant_cuda_release(other) for other in published]
    known = [version_key(other) for other in cuda_releases if other is not None]
    return release is not None and bool(known) and version_key(release) < min(known)


def _unknown_release(version: str, prefix: str) -> Finding:
    return warning(
        (f"{prefix}.version",),
        f"the compatibility matrix does not know PyTorch {version}: its build variants "
        "are not checked",
    )


def _check_variant_driver(state: HostState, variant: str, field: str, what: str) -> list[Finding]:
    release = variant_cuda_release(variant)
    if release is None:
        return []
    if state.driver is None:
        return [
            warning(
                (field,),
                f"{what} needs an NVIDIA driver for CUDA {release}, but the state declares "
                "none: the host's own driver must be new enough",
            )
        ]
    return check_driver_runs(state.driver.version, release, 0, ("driver.version", field), what)
