"""What a real kernel would show on a lab host at boot, derived from the host's own files.

Pure planning: `plan_boot` reads nothing but the host's root folder and returns a
`BootState`; `render_*` turn it into the exact text of the files the kernel provides
(`/proc/modules`, `/proc/driver/nvidia/...`, `/sys/module/...`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from provision_lab.elf_modinfo import ModuleFormatError, module_version
from provision_lab.initramfs_reader import InitramfsFormatError, initramfs_files

DEFAULT_GPU = "NVIDIA A100-SXM4-80GB"
GPU_BUS_ID = "0000:01:00.0"
MODPROBE_DIRECTORIES = ("etc/modprobe.d", "lib/modprobe.d", "usr/lib/modprobe.d")
NVIDIA_MODULE_NAMES = ("nvidia.ko", "nvidia.ko.xz")
BLACKLIST_LINE = re.compile(r"^\s*(blacklist\s+nouveau|install\s+nouveau\s+\S*/(false|true))\b")

# Modules every boot loads (name, size, holders), as on a bookworm workstation.
BASE_MODULES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("drm_kms_helper", 212992, ()),
    ("drm", 614400, ("drm_kms_helper",)),
    ("i2c_algo_bit", 16384, ()),
    ("video", 65536, ()),
)
NOUVEAU_MODULES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("nouveau", 2842624, ()),
    ("mxm_wmi", 16384, ("nouveau",)),
    ("ttm", 94208, ("nouveau",)),
)
NVIDIA_MODULES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("nvidia_uvm", 1531904, ()),
    ("nvidia_drm", 77824, ()),
    ("nvidia_modeset", 1314816, ("nvidia_drm",)),
    ("nvidia", 56823808, ("nvidia_uvm", "nvidia_modeset")),
)
# Release dates NVIDIA prints in /proc/driver/nvidia/version for a few drivers.
DRIVER_BUILD_DATES = {
    "515.105.01": "Fri Mar 10 18:29:19 UTC 2023",
    "525.147.05": "Wed Oct 25 20:21:31 UTC 2023",
    "535.154.05": "Thu Dec 28 15:37:48 UTC 2023",
    "550.54.15": "Tue Mar  5 22:23:56 UTC 2024",
}
DEFAULT_BUILD_DATE = "Mon Jan 15 12:00:00 UTC 2024"


@dataclass(frozen=True)
class BootState:
    """What the kernel of one boot of a host has loaded."""

    kernel: str
    boot_id: str
    nouveau_loaded: bool
    nvidia_version: str | None
    gpu_name: str
    gpu_uuid: str
    notes: tuple[str, ...] = field(default=())


def blacklists_nouveau(conf_text: str) -> bool:
    """True when a modprobe.d file's text keeps nouveau from loading."""
    return any(BLACKLIST_LINE.match(line) for line in conf_text.splitlines())


def _root_blacklists_nouveau(root: Path) -> bool:
    for directory in MODPROBE_DIRECTORIES:
        for conf in sorted((root / directory).glob("*.conf")):
            if conf.is_file() and blacklists_nouveau(conf.read_text(errors="replace")):
                return True
    return False


def initrd_blacklists_nouveau(image: bytes) -> bool:
    """True when the initramfs carries a modprobe.d file blacklisting nouveau."""
    for name, contents in initramfs_files(image).items():
        in_modprobe_d = any(name.startswith(directory + "/") for directory in MODPROBE_DIRECTORIES)
        if (
            in_modprobe_d
            and name.endswith(".conf")
            and blacklists_nouveau(contents.decode(errors="replace"))
        ):
            return True
    return False


def _initrd_blacklists(root: Path, kernel: str, notes: list[str]) -> bool:
    initrd = root / "boot" / f"initrd.img-{kernel}"
    if not initrd.is_file():
        notes.append(f"no /boot/initrd.img-{kernel}")
        return False
    try:
        return initrd_blacklists_nouveau(initrd.read_bytes())
    except InitramfsFormatError as error:
        notes.append(f"/boot/initrd.img-{kernel} unreadable: {error}")
        return False


def _nvidia_module(root: Path, kernel: str) -> Path | None:
    """The nvidia module modprobe would pick: `updates/` (DKMS) wins over `kernel/`."""
    modules = root / "lib" / "modules" / kernel
    candidates = [
        path for name in NVIDIA_MODULE_NAMES for path in modules.rglob(name) if path.is_file()
    ]
    candidates.sort(key=lambda path: (path.relative_to(modules).parts[0] != "updates", str(path)))
    return candidates[0] if candidates else None


def _nvidia_version(root: Path, kernel: str, notes: list[str]) -> str | None:
    module = _nvidia_module(root, kernel)
    if module is None:
        return None
    try:
        version = module_version(module)
    except (ModuleFormatError, OSError) as error:
        notes.append(f"nvidia module {module.relative_to(root)} not loadable: {error}")
        return None
    if version is None:
        notes.append(f"nvidia module {module.relative_to(root)} has no version in .modinfo")
    return version


def plan_boot(root: Path, kernel: str, host_name: str, gpu_name: str) -> BootState:
    """The kernel state of the next boot of the host whose `/` is `root`."""
    notes: list[str] = []
    nouveau_loaded = not (
        _root_blacklists_nouveau(root) and _initrd_blacklists(root, kernel, notes)
    )
    nvidia_version = _nvidia_version(root, kernel, notes)
    if nvidia_version is not None and nouveau_loaded:
        notes.append("nvidia not loaded: nouveau holds the GPU")
        nvidia_version = None
    return BootState(
        kernel=kernel,
        boot_id=str(uuid.uuid4()),
        nouveau_loaded=nouveau_loaded,
        nvidia_version=nvidia_version,
        gpu_name=gpu_name,
        gpu_uuid="GPU-" + str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{host_name}.provision-lab")),
        notes=tuple(notes),
    )


def loaded_modules(state: BootState) -> list[tuple[str, int, tuple[str, ...]]]:
    """The loaded modules, newest first as /proc/modules lists them."""
    modules: list[tuple[str, int, tuple[str, ...]]] = []
    if state.nvidia_version is not None:
        modules.extend(NVIDIA_MODULES)
    if state.nouveau_loaded:
        modules.extend(NOUVEAU_MODULES)
    modules.extend(BASE_MODULES)
    return modules


def render_proc_modules(state: BootState) -> str:
    """`/proc/modules`: name, size, use count, holders, state, address (taint flags)."""
    lines = []
    for name, size, holders in loaded_modules(state):
        holder_text = "".join(f"{holder}," for holder in holders) or "-"
        taint = " (POE)" if name.startswith("nvidia") else ""
        lines.append(f"{name} {size} {len(holders)} {holder_text} Live 0x0000000000000000{taint}")
    return "\n".join(lines) + "\n"


def render_nvidia_version(version: str) -> str:
    """`/proc/driver/nvidia/version` of the proprietary kernel module `version`."""
    date = DRIVER_BUILD_DATES.get(version, DEFAULT_BUILD_DATE)
    return (
        f"NVRM version: NVIDIA UNIX x86_64 Kernel Module  {version}  {date}\n"
        "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14) \n"
    )


def render_gpu_information(state: BootState) -> str:
    """`/proc/driver/nvidia/gpus/<bus>/information` for the stand-in GPU."""
    return (
        f"Model: \t\t {state.gpu_name}\n"
        "IRQ:   \t\t 0\n"
        f"GPU UUID: \t {state.gpu_uuid}\n"
        "Video BIOS: \t 92.00.45.00.03\n"
        "Bus Type: \t PCIe\n"
        "DMA Size: \t 47 bits\n"
        "DMA Mask: \t 0x7fffffffffff\n"
        f"Bus Location: \t {GPU_BUS_ID}\n"
        "Device Minor: \t 0\n"
        "GPU Excluded:\t No\n"
    )


def render_sys_module_files(state: BootState) -> dict[str, str]:
    """Files of `/sys/module/<name>/` per loaded module (relative path -> text); the real
    `holders/` entries are symlinks, here empty files with the same names."""
    files: dict[str, str] = {}
    for name, size, holders in loaded_modules(state):
        files[f"module/{name}/initstate"] = "live\n"
        files[f"module/{name}/refcnt"] = f"{len(holders)}\n"
        files[f"module/{name}/coresize"] = f"{size}\n"
        for holder in holders:
            files[f"module/{name}/holders/{holder}"] = ""
        if name == "nvidia" and state.nvidia_version is not None:
            files[f"module/{name}/version"] = f"{state.nvidia_version}\n"
    return files
