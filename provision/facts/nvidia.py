"""The NVIDIA driver: packages, the module on disk, the module loaded, GPUs, users.

The loaded version (`/proc/driver/nvidia/version`) differing from the installed module
or userspace library is what makes `nvidia-smi` fail with "Driver/library version
mismatch" until a reboot; `mismatch` says so.
"""

from __future__ import annotations

import re

from provision.facts.apt import OpenFile, Package, parse_dpkg_query, parse_open_files
from provision.facts.base import FactModel
from provision.facts.kernel import parse_proc_modules
from provision.facts.sections import Sections

_PROC_VERSION = re.compile(r"^NVRM version:.*?Kernel Module\b.*?\s(\d+\.\d+(?:\.\d+)?)(?:\s|$)")
_UPSTREAM = re.compile(r"^(?:\d+:)?(\d+\.\d+(?:\.\d+)?)")
_LIBRARY = re.compile(r"libnvidia-ml\.so\.(\d+\.\d+(?:\.\d+)?)$")
_DRIVER_PACKAGE = re.compile(
    r"^(nvidia-|libnvidia-|xserver-xorg-video-nvidia|cuda-drivers|libcuda1$|firmware-nvidia-gsp$)"
)
_BRANCH = re.compile(r"^nvidia-driver-(\d+)(?:-server|-open|-server-open)?$")
_BRANCHLESS_METAPACKAGES = ("nvidia-driver", "nvidia-driver-open")
"""Debian's driver metapackage, and NVIDIA's Ubuntu ones from branch 590: the version
alone says the branch."""


class Gpu(FactModel):
    """A GPU the loaded driver reports (`/proc/driver/nvidia/gpus/*/information`)."""

    name: str | None
    bus_id: str | None
    uuid: str | None
    video_bios: str | None
    minor: int | None


class PciDevice(FactModel):
    """An NVIDIA PCI function (vendor 0x10de), known even before a driver is loaded."""

    bus_id: str
    pci_class: str
    device_id: str

    @property
    def is_gpu(self) -> bool:
        return self.pci_class.startswith("0x03")


class ModuleFile(FactModel):
    """An `nvidia.ko*` of the running kernel and the version in its `.modinfo`."""

    path: str
    version: str | None


class NvidiaFacts(FactModel):
    """What driver is installed, what is loaded, and which GPUs and processes are there."""

    packages: tuple[Package, ...]
    driver_branch: str | None
    package_version: str | None
    module_files: tuple[ModuleFile, ...]
    installed_module_version: str | None
    loaded_module_version: str | None
    loaded_modules: tuple[str, ...]
    userspace_version: str | None
    nvidia_smi: str | None
    mismatch: bool | None
    gpus: tuple[Gpu, ...]
    pci_devices: tuple[PciDevice, ...]
    device_users: tuple[OpenFile, ...]


def parse_proc_version(text: str) -> str | None:
    """The loaded module's version from `/proc/driver/nvidia/version` (proprietary or
    open kernel module)."""
    for line in text.splitlines():
        match = _PROC_VERSION.match(line)
        if match:
            return match[1]
    return None


def parse_gpu_information(text: str) -> Gpu:
    """One `/proc/driver/nvidia/gpus/<bus>/information` file (`Key: <tabs> value`)."""
    values = {}
    for line in text.splitlines():
        key, separator, value = line.partition(":")
        if separator:
            values[key.strip()] = value.strip()
    minor = values.get("Device Minor", "")
    return Gpu(
        name=values.get("Model") or None,
        bus_id=(values.get("Bus Location") or "").lower() or None,
        uuid=values.get("GPU UUID") or None,
        video_bios=values.get("Video BIOS") or None,
        minor=int(minor) if minor.isdigit() else None,
    )


def parse_module_files(text: str) -> list[ModuleFile]:
    """`VERSION<TAB>PATH` lines, the file modprobe would pick (`updates/`, DKMS) first."""
    files = []
    for line in text.splitlines():
        version, separator, path = line.partition("\t")
        if separator and path:
            files.append(ModuleFile(path=path, version=version.strip() or None))
    return sorted(files, key=lambda item: ("/updates/" not in item.path, item.path))


def parse_pci(text: str) -> list[PciDevice]:
    """`BUS CLASS DEVICE` lines of NVIDIA PCI functions from sysfs."""
    devices = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            devices.append(PciDevice(bus_id=parts[0], pci_class=parts[1], device_id=parts[2]))
    return devices


def upstream_version(package_version: str | None) -> str | None:
    """`535.154.05` of a Debian version such as `535.154.05-0ubuntu0.22.04.1`."""
    match = _UPSTREAM.match(package_version or "")
    return match[1] if match else None


def _driver_package(packages: list[Package]) -> tuple[str | None, str | None]:
    for package in packages:
        if not package.installed:
            continue
        match = _BRANCH.match(package.name)
        if match:
            return match[1], upstream_version(package.version)
        upstream = upstream_version(package.version)
        if package.name.partition(":")[0] in _BRANCHLESS_METAPACKAGES and upstream:
            return upstream.split(".")[0], upstream
    return None, None


def _userspace(sections: Sections) -> tuple[str | None, str | None]:
    section = sections.first("nvidia-userspace")
    versions = []
    smi = None
    for line in section.lines() if section else []:
        kind, _, value = line.partition(" ")
        match = _LIBRARY.search(value)
        if kind == "library" and match:
            versions.append(match[1])
        elif kind == "nvidia-smi":
            smi = value
    return (versions[0] if versions else None), smi


def _mismatch(loaded: str | None, installed: str | None, userspace: str | None) -> bool | None:
    others = [version for version in (installed, userspace) if version]
    if loaded is None or not others:
        return None
    return any(version != loaded for version in others)


def parse_nvidia(sections: Sections) -> NvidiaFacts:
    """The NVIDIA facts of one run."""
    packages = [
        p for p in parse_dpkg_query(sections.text("packages")) if _DRIVER_PACKAGE.match(p.name)
    ]
    branch, package_version = _driver_package(packages)
    files = parse_module_files(sections.text("nvidia-module-files"))
    installed = files[0].version if files else None
    loaded = parse_proc_version(sections.text("nvidia-proc-version"))
    userspace, smi = _userspace(sections)
    modules = parse_proc_modules(sections.text("modules")) or ()
    return NvidiaFacts(
        packages=tuple(packages),
        driver_branch=branch,
        package_version=package_version,
        module_files=tuple(files),
        installed_module_version=installed,
        loaded_module_version=loaded,
        loaded_modules=tuple(name for name in modules if name.startswith("nvidia")),
        userspace_version=userspace,
        nvidia_smi=smi,
        mismatch=_mismatch(loaded, installed, userspace),
        gpus=tuple(parse_gpu_information(s.text) for s in sections.all("nvidia-gpu")),
        pci_devices=tuple(parse_pci(sections.text("pci"))),
        device_users=tuple(
            item
            for item in parse_open_files(sections.text("open-files"))
            if item.path.startswith("/dev/nvidia")
        ),
    )
