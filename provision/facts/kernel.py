"""The OS, kernel and boot: os-release, kernel release, architecture, boot id, Secure
Boot, and nouveau (loaded, blacklisted, and whether the initramfs saw the blacklist)."""

from __future__ import annotations

import re
from typing import Literal

from provision.facts.base import FactModel, unquote
from provision.facts.sections import Sections

_BLACKLIST = re.compile(r"^[ \t]*blacklist[ \t]+nouveau[ \t\r]*$", re.MULTILINE)
_MODESET_OFF = re.compile(
    r"^[ \t]*options[ \t]+nouveau[ \t]+(.*[ \t])?modeset=0([ \t\r]|$)", re.MULTILINE
)
MODPROBE_FOLDERS = ("/etc/modprobe.d", "/run/modprobe.d", "/lib/modprobe.d", "/usr/lib/modprobe.d")
"""Where modprobe reads its configuration (modprobe.d(5)), in its order."""


class OsRelease(FactModel):
    """The fields of `/etc/os-release` a provisioner needs."""

    id: str | None
    id_like: tuple[str, ...]
    version_id: str | None
    version_codename: str | None
    pretty_name: str | None


class ModprobeFile(FactModel):
    """A modprobe.d file that mentions nouveau."""

    path: str
    mtime: int
    blacklists: bool
    disables_modeset: bool


class Initramfs(FactModel):
    """An initramfs image in /boot."""

    path: str
    kernel: str
    mtime: int


class NouveauFacts(FactModel):
    """Whether nouveau is in the way of the NVIDIA driver, and what would fix it."""

    loaded: bool | None
    blacklisted: bool
    blacklist_files: tuple[ModprobeFile, ...]
    initramfs: Initramfs | None
    initramfs_fresh: bool | None


class KernelFacts(FactModel):
    """The running kernel and its boot."""

    release: str | None
    machine: str | None
    architecture: str | None
    boot_id: str | None
    firmware: Literal["efi", "bios"] | None
    secure_boot: bool | None
    uid: int | None
    loaded_modules: tuple[str, ...] | None
    nouveau: NouveauFacts


def parse_os_release(text: str) -> OsRelease:
    """`KEY=value` lines of os-release(5), values possibly quoted."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, separator, value = line.partition("=")
        if separator and key.strip() and not key.lstrip().startswith("#"):
            values[key.strip()] = unquote(value)
    return OsRelease(
        id=values.get("ID"),
        id_like=tuple(values.get("ID_LIKE", "").split()),
        version_id=values.get("VERSION_ID"),
        version_codename=values.get("VERSION_CODENAME") or values.get("UBUNTU_CODENAME"),
        pretty_name=values.get("PRETTY_NAME"),
    )


def parse_proc_modules(text: str) -> tuple[str, ...] | None:
    """Loaded module names: `/proc/modules` lines after the script's `readable` line, or,
    on a kernel without `/proc/modules`, `NAME STATE` lines from `/sys/module/*/initstate`
    after `sysfs` (only `live` modules count). None when neither could be read."""
    lines = text.splitlines()
    if not lines or lines[0] not in ("readable", "sysfs"):
        return None
    names = []
    for line in lines[1:]:
        parts = line.split()
        if parts and (lines[0] == "readable" or parts[1:2] == ["live"]):
            names.append(parts[0])
    return tuple(names)


def parse_modprobe_file(argument: str, text: str) -> ModprobeFile:
    """A `modprobe MTIME PATH` section: the file's lines that mention nouveau."""
    mtime, _, path = argument.partition(" ")
    return ModprobeFile(
        path=path,
        mtime=int(mtime) if mtime.isdigit() else 0,
        blacklists=blacklists_nouveau(text),
        disables_modeset=disables_nouveau_modeset(text),
    )


def blacklists_nouveau(text: str) -> bool:
    """Whether modprobe configuration `text` has a `blacklist nouveau` line."""
    return _BLACKLIST.search(text) is not None


def disables_nouveau_modeset(text: str) -> bool:
    """Whether modprobe configuration `text` sets `options nouveau ... modeset=0`."""
    return _MODESET_OFF.search(text) is not None


def parse_initramfs(text: str, kernel: str | None) -> Initramfs | None:
    """The running kernel's initrd (`MTIME PATH` lines), else the newest one."""
    images = []
    for line in text.splitlines():
        mtime, _, path = line.partition(" ")
        if mtime.isdigit() and path:
            images.append(
                Initramfs(path=path, kernel=path.rsplit("initrd.img-", 1)[-1], mtime=int(mtime))
            )
    for image in images:
        if image.kernel == kernel:
            return image
    return max(images, key=lambda image: image.mtime, default=None)


def _secure_boot(fields: dict[str, str]) -> bool | None:
    value = fields.get("secure-boot", "").strip()
    return None if not value.isdigit() else value == "1"


def _nouveau(
    sections: Sections, modules: tuple[str, ...] | None, kernel: str | None
) -> NouveauFacts:
    files = tuple(parse_modprobe_file(s.argument, s.text) for s in sections.all("modprobe"))
    blacklisting = [item for item in files if item.blacklists]
    initramfs = parse_initramfs(sections.text("initramfs"), kernel)
    fresh = None
    if blacklisting and initramfs is not None:
        fresh = initramfs.mtime >= max(item.mtime for item in blacklisting)
    return NouveauFacts(
        loaded=None if modules is None else "nouveau" in modules,
        blacklisted=bool(blacklisting),
        blacklist_files=files,
        initramfs=initramfs,
        initramfs_fresh=fresh,
    )


def parse_kernel(sections: Sections) -> KernelFacts:
    """The kernel facts of one run."""
    identity = sections.first("identity")
    fields = identity.fields() if identity else {}
    modules = parse_proc_modules(sections.text("modules"))
    firmware = fields.get("firmware")
    uid = fields.get("uid", "")
    return KernelFacts(
        release=fields.get("kernel") or None,
        machine=fields.get("machine") or None,
        architecture=fields.get("dpkg-architecture") or None,
        boot_id=fields.get("boot-id") or None,
        firmware=firmware if firmware in ("efi", "bios") else None,
        secure_boot=_secure_boot(fields),
        uid=int(uid) if uid.isdigit() else None,
        loaded_modules=modules,
        nouveau=_nouveau(sections, modules, fields.get("kernel")),
    )
