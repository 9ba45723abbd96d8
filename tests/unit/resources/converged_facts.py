"""Facts of a host that already is a desired state (after its reboot), for plan tests:
`converged(state)` is what the fact script would report on the sandbox lab host once
`provision apply` has converged it, so that `reconcile` must plan nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from host_facts import bare_debian12_document, facts

from provision.facts.model import Facts
from provision.models import HostState
from provision.resources.cudnn import cudnn_packages
from provision.resources.driver import driver_packages
from provision.resources.libtorch import build_version
from provision.resources.pytorch import pip_version
from provision.resources.shell_profile import block_content


def _package(name: str, version: str, want: str = "install") -> dict[str, Any]:
    return {"name": name, "version": version, "want": want, "state": "installed"}


def _driver_section(desired: HostState, document: dict[str, Any]) -> list[str]:
    driver = desired.driver
    if driver is None:
        return []
    version = driver.version
    document["kernel"]["loaded_modules"] = ["nvidia"]
    document["kernel"]["nouveau"] = {
        "loaded": False,
        "blacklisted": True,
        "blacklist_files": [
            {
                "path": "/etc/modprobe.d/blacklist-nouveau.conf",
                "mtime": 1732600100,
                "blacklists": True,
                "disables_modeset": True,
            }
        ],
        "initramfs": {
            "path": "/boot/initrd.img-6.1.0-18-amd64",
            "kernel": "6.1.0-18-amd64",
            "mtime": 1732600200,
        },
        "initramfs_fresh": True,
    }
    names = driver_packages(driver) if driver.source == "apt" else []
    packages = [_package(name, f"{version}-0ubuntu1", "hold") for name in names]
    document["nvidia"].update(
        packages=packages,
        driver_branch=str(driver.branch) if names else None,
        package_version=version if names else None,
        module_files=[
            {"path": "/lib/modules/6.1.0-18-amd64/updates/dkms/nvidia.ko", "version": version}
        ],
        installed_module_version=version,
        loaded_module_version=version,
        loaded_modules=["nvidia"],
        userspace_version=version,
        nvidia_smi="/usr/bin/nvidia-smi",
        mismatch=False,
        gpus=[
            {
                "name": "NVIDIA GeForce RTX 3090",
                "bus_id": "0000:01:00.0",
                "uuid": None,
                "video_bios": None,
                "minor": 0,
            }
        ],
    )
    document["apt"]["packages"] += packages
    return names if driver.hold else []


def _cuda_section(desired: HostState, document: dict[str, Any]) -> list[str]:
    held: list[str] = []
    toolkits, packages = [], []
    for toolkit in desired.cuda_toolkits:
        cudnn = desired.cudnn.get(toolkit.major)
        in_toolkit = None
        if cudnn is not None and cudnn.source == "tarball":
            short = ".".join(cudnn.version.split(".")[:3])
            in_toolkit = {
                "header": f"{toolkit.path}/include/cudnn_version.h",
                "version": short,
                "major": int(short.split(".")[0]),
            }
        toolkits.append(
            {
                "path": toolkit.path,
                "version": toolkit.version,
                "release": toolkit.release,
                "nvcc_version": None,
                "version_source": "version.json",
                "nvcc": True,
                "cudnn": in_toolkit,
            }
        )
        if toolkit.source == "apt":
            packages.append(
                _package(
                    f"cuda-toolkit-{toolkit.release.replace('.', '-')}", f"{toolkit.version}-1"
                )
            )
    active = desired.active_toolkit()
    document["cuda"] = {
        "toolkits": toolkits,
        "aliases": {},
        "active_link": active.path if active else None,
        "active_path": active.path if active else None,
        "active_release": active.release if active else None,
        "packages": packages,
        "package_releases": sorted(t.release for t in desired.cuda_toolkits if t.source == "apt"),
    }
    cudnn_packages_found = []
    for major, build in desired.cudnn.items():
        if build.source != "apt":
            continue
        for name, pattern in cudnn_packages(major, build):
            version = pattern.replace(".*", ".8") if pattern.endswith("*") else pattern
            cudnn_packages_found.append({"name": name, "version": version, "cuda": f"{major}.8"})
            document["apt"]["packages"].append(_package(name, version, "hold"))
            held.append(name)
    document["cudnn"]["packages"] = cudnn_packages_found
    document["apt"]["packages"] += packages
    return held


def _shell_section(desired: HostState, document: dict[str, Any]) -> None:
    active = desired.active_toolkit()
    if active is None:
        return
    block = block_content(active)
    for user in document["shell"]:
        if user["user"] in desired.shell_profile.users:
            user["files"][0].update(
                state="content",
                block={
                    "content": block.decode(),
                    "sha256": hashlib.sha256(block).hexdigest(),
                    "cuda_home": active.path,
                    "cuda_release": active.release,
                    "terminated": True,
                    "count": 1,
                },
            )


def _conda_section(desired: HostState, document: dict[str, Any]) -> None:
    conda = desired.conda
    if conda is None:
        return
    envs: list[dict[str, Any]] = [
        {
            "name": "base",
            "path": conda.prefix,
            "python": "3.11.9",
            "pytorch": None,
            "pytorch_cuda": None,
            "cudatoolkit": None,
            "pip_torch": None,
        }
    ]
    for env in conda.envs:
        build = env.pytorch
        pip = build is not None and build.route == "pip"
        envs.append(
            {
                "name": env.name,
                "path": f"{conda.prefix}/envs/{env.name}",
                "python": f"{env.python}.9",
                "pytorch": {"name": "pytorch", "version": build.version, "build": "py_0"}
                if build is not None and not pip
                else None,
                "pytorch_cuda": None,
                "cudatoolkit": None,
                "pip_torch": pip_version(build) if build is not None and pip else None,
            }
        )
    document["conda"] = {
        "prefix": conda.prefix,
        "exists": True,
        "conda_executable": True,
        "version": "24.9.2",
        "envs": envs,
    }


def converged_document(desired: HostState) -> dict[str, Any]:
    """Facts of a Debian 12 host that already is `desired` (after its reboot)."""
    document = bare_debian12_document()
    held = _driver_section(desired, document) + _cuda_section(desired, document)
    document["apt"]["held"] = sorted(held)
    _shell_section(desired, document)
    _conda_section(desired, document)
    if desired.libtorch is not None:
        version = build_version(desired.libtorch)
        document["libtorch"] = {
            "path": desired.libtorch.path,
            "exists": True,
            "build_version": version,
            "version": desired.libtorch.version,
            "variant": desired.libtorch.variant,
            "cmake_config": True,
        }
    return document


def converged(desired: HostState, patch: dict[str, Any] | None = None) -> Facts:
    """Facts of a host that already is `desired`, with `patch` merged in."""
    return facts(converged_document(desired), patch)
