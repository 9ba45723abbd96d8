"""Desired states and facts for plan tests.

`sandbox_workstation()` is the sandbox lab's workstation state (the playbook rendered with
the sandbox group_vars and a mirror at MIRROR, or with `recorded_lab_vars()`, the mirror of
the lab the facts were recorded on); `recorded(STATE)` the facts the fact script printed on
a lab host in that state (scripts/record_facts.py); `bare_debian12()` hand-written facts of
a fresh Debian 12 host with a GPU on PCI and nouveau loaded, which no lab host has; `merge`
deep-merges a patch into a JSON document.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from provision.facts.model import Facts, parse_facts
from provision.models import HostState, parse_host_state
from provision.playbook import load_playbook
from provision.templating import VariableResolver

ROOT = Path(__file__).resolve().parents[3]
RECORDED = ROOT / "tests/unit/facts"
MIRROR = "http://127.0.0.1:8080"
# The sha256 of the lab mirror's downloads the workstation plan fetches, as `provision lab
# up` writes them (these from a lab mirror built on 2026-12-02).
MIRROR_CHECKSUMS = {
    f"{MIRROR}/cudnn/compute/cudnn/redist/cudnn/linux-x86_64/"
    "cudnn-linux-x86_64-8.9.7.29_cuda12-archive.tar.xz":
        "9c8fbb8e62273722fae1bae4c9cd8b3cfa897d4055017147058d93c0e4cab0a0",
    f"{MIRROR}/conda/miniconda/Miniconda3-latest-Linux-x86_64.sh":
        "ec592bf1f1969af70d264408e806485558d01be644797953a60380472ebb9fb5",
    f"{MIRROR}/libtorch/libtorch/cpu/libtorch-cxx11-abi-shared-with-deps-2.13.0%2Bcpu.zip":
        "705f5430d5ee5c516b884a852692f7684fc13c99b021f7fcac4048cde6a00bfe",
}  # fmt: skip


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


def recorded_lab_vars() -> dict[str, Any]:
    """The mirror variables of the lab the `lab-*` facts were recorded on."""
    stamp = json.loads((RECORDED / "lab-recorded.json").read_text())
    lab_vars: dict[str, Any] = stamp["lab_vars"]
    return lab_vars


def sandbox_workstation_document(lab_vars: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rendered state document of `playbooks/workstation.yaml` for the sandbox lab (with
    a mirror at MIRROR, or the recorded lab's mirror variables `lab_vars`)."""
    play = load_playbook(ROOT / "playbooks/workstation.yaml").plays[0]
    group_vars = yaml.safe_load((ROOT / "inventories/sandbox/group_vars/all.yaml").read_text())
    variables = {
        **play.vars,
        **group_vars,
        **(
            lab_vars
            or {
                "lab_mirror_url": MIRROR,
                "lab_mirror_apt_source": f"deb [trusted=yes] {MIRROR}/apt ./",
                "lab_mirror_checksums": MIRROR_CHECKSUMS,
            }
        ),
    }
    rendered: dict[str, Any] = VariableResolver(variables).render(play.state, "state")
    return rendered


def state(patch: dict[str, Any] | None = None, lab_vars: dict[str, Any] | None = None) -> HostState:
    """The sandbox workstation state with `patch` merged in."""
    document = sandbox_workstation_document(lab_vars)
    return parse_host_state(merge(document, patch or {}), "test state")


def recorded(name: str, patch: dict[str, Any] | None = None) -> Facts:
    """The facts the fact script printed on a lab host in state `name` (`lab-NAME.out`,
    recorded by scripts/record_facts.py), parsed, with `patch` merged in."""
    parsed = parse_facts((RECORDED / "cases" / f"lab-{name}.out").read_bytes(), "KEY")
    return facts(json.loads(parsed.model_dump_json()), patch)


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
        "provision": {"reboot_pending": None, "lock": None},
    }


def facts(document: dict[str, Any], patch: dict[str, Any] | None = None) -> Facts:
    """Facts from a document with `patch` merged in."""
    return Facts.model_validate(merge(document, patch or {}))


def bare_debian12(patch: dict[str, Any] | None = None) -> Facts:
    """A fresh Debian 12 host's facts, with `patch` merged in."""
    return facts(bare_debian12_document(), patch)
