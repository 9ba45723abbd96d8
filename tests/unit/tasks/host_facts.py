"""Desired states and facts for plan tests, built from small recipes instead of big JSON.

`sandbox_workstation()` is the sandbox lab's workstation state (the playbook rendered with
the sandbox group_vars and a mirror at MIRROR); `bare_debian12()` the facts of a fresh
Debian 12 lab host with a GPU and nouveau loaded; `converged(state)` the facts of a host
that already is `state`. `merge` deep-merges a patch into a JSON document.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import yaml

from provision.facts.model import Facts
from provision.models import HostState, parse_host_state
from provision.playbook import load_playbook
from provision.tasks.cudnn import cudnn_packages
from provision.tasks.driver import driver_packages
from provision.tasks.libtorch import build_version
from provision.tasks.pytorch import pip_version
from provision.tasks.shell_profile import block_content
from provision.templating import VariableResolver

ROOT = Path(__file__).resolve().parents[3]
MIRROR = "http://127.0.0.1:8080"


def merge(base: Any, patch: Any) -> Any:
    """`patch` deep-merged into a copy of `base`: mappings merge, anything else replaces,
    and a key written `name=` replaces `name` whole instead of merging into it."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = copy.deepcopy(base)
        for key, value in patch.items():
            if key.endswith("="):
                merged[key[:-1]] = copy.deepcopy(value)
            else:
                merged[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(patch)


def sandbox_workstation_document() -> dict[str, Any]:
    """The rendered state document of `playbooks/workstation.yaml` for the sandbox lab."""
    play = load_playbook(ROOT / "playbooks/workstation.yaml").plays[0]
    group_vars = yaml.safe_load((ROOT / "inventories/sandbox/group_vars/all.yaml").read_text())
    variables = {
        **play.vars,
        **group_vars,
        "lab_mirror_url": MIRROR,
        "lab_mirror_apt_source": f"deb [trusted=yes] {MIRROR}/apt ./",
    }
    rendered: dict[str, Any] = VariableResolver(variables).render(play.state, "state")
    return rendered


def state(patch: dict[str, Any] | None = None) -> HostState:
    """The sandbox workstation state with `patch` merged in."""
    return parse_host_state(merge(sandbox_workstation_document(), patch or {}), "test state")


def sandbox_workstation() -> HostState:
    """The sandbox lab's workstation state, unchanged."""
    return state()


def _user(name: str, home: str, bashrc: str = "no-cuda") -> dict[str, Any]:
    def shell_file(file: str, file_state: str) -> dict[str, Any]:
        return {
            "path": f"{home}/{file}",
            "state": file_state,
            "block": None,
            "unmanaged_exports": [],
        }

    return {
        "user": name,
        "home": home,
        "files": [
            shell_file(".bashrc", bashrc),
            shell_file(".bash_profile", "missing"),
            shell_file(".profile", "no-cuda"),
        ],
    }


def bare_debian12_document() -> dict[str, Any]:
    """Facts of a fresh Debian 12 host: a GPU on PCI, nouveau loaded, nothing NVIDIA."""
    return {
        "schema_version": 1,
        "complete": True,
        "os": {
            "id": "debian",
            "id_like": [],
            "version_id": "12",
            "version_codename": "bookworm",
            "pretty_name": "Debian GNU/Linux 12 (bookworm)",
        },
        "kernel": {
            "release": "6.1.0-18-amd64",
            "machine": "x86_64",
            "architecture": "amd64",
            "boot_id": "9f6c2f4e-3b7a-4a51-9d1e-2c8f0b7a6d55",
            "firmware": "bios",
            "secure_boot": None,
            "uid": 0,
            "loaded_modules": ["nouveau"],
            "nouveau": {
                "loaded": True,
                "blacklisted": False,
                "blacklist_files": [],
                "initramfs": {
                    "path": "/boot/initrd.img-6.1.0-18-amd64",
                    "kernel": "6.1.0-18-amd64",
                    "mtime": 1732600000,
                },
                "initramfs_fresh": None,
            },
        },
        "nvidia": {
            "packages": [],
            "driver_branch": None,
            "package_version": None,
            "module_files": [],
            "installed_module_version": None,
            "loaded_module_version": None,
            "loaded_modules": [],
            "userspace_version": None,
            "nvidia_smi": None,
            "mismatch": None,
            "gpus": [],
            "pci_devices": [
                {"bus_id": "0000:01:00.0", "pci_class": "0x030000", "device_id": "0x2204"}
            ],
            "device_users": [],
        },
        "cuda": {
            "toolkits": [],
            "aliases": {},
            "active_link": None,
            "active_path": None,
            "active_release": None,
            "packages": [],
            "package_releases": [],
        },
        "cudnn": {"system": [], "packages": []},
        "shell": [_user("root", "/root"), _user("ops", "/home/ops")],
        "conda": {
            "prefix": "/opt/conda",
            "exists": False,
            "conda_executable": False,
            "version": None,
            "envs": [],
        },
        "libtorch": {
            "path": "/opt/libtorch",
            "exists": False,
            "build_version": None,
            "version": None,
            "variant": None,
            "cmake_config": False,
        },
        "apt": {"dpkg": True, "packages": [], "held": [], "lock_holders": [], "lock_held": False},
        "files": [],
    }


def facts(document: dict[str, Any], patch: dict[str, Any] | None = None) -> Facts:
    """Facts from a document with `patch` merged in."""
    return Facts.model_validate(merge(document, patch or {}))


def bare_debian12(patch: dict[str, Any] | None = None) -> Facts:
    """A fresh Debian 12 host's facts, with `patch` merged in."""
    return facts(bare_debian12_document(), patch)


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
