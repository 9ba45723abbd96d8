"""The lab's base image: a debootstrap of Debian bookworm, built once and cached.

It is rebuilt only when its recipe (packages, setup script, stand-in files, the
machine's kernel version) changes. Hosts never change it: each host is an overlay.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from provision.errors import ProvisionError
from provision_lab.apt_sources import debian_mirror
from provision_lab.control_node import require_tool
from provision_lab.paths import LabPaths

SUITE = "bookworm"
ASSETS = Path(__file__).parent / "assets" / "image"

PACKAGES = (
    "openssh-server", "python3", "python3-venv", "sudo", "kmod", "initramfs-tools",
    "pciutils", "ca-certificates", "cmake", "make", "g++", "curl", "procps", "psmisc",
    "unzip", "xz-utils", "bzip2", "less",
)  # fmt: skip

# The kernel config a real /boot would hold, reduced to what mkinitramfs checks.
KERNEL_CONFIG = """\
# LAB STAND-IN: a lab host has no kernel of its own (it runs on this machine's);
# mkinitramfs reads this file to check the initramfs compressor and initrd support.
CONFIG_BLK_DEV_INITRD=y
CONFIG_RD_GZIP=y
CONFIG_RD_ZSTD=y
CONFIG_MODULES=y
"""

SETUP_SCRIPT = """\
set -eu
export DEBIAN_FRONTEND=noninteractive
kernel="$1"
useradd --create-home --shell /bin/bash ops
useradd --create-home --shell /bin/bash dev
usermod --password '*' ops
echo 'ops ALL=(ALL:ALL) NOPASSWD: ALL' > /etc/sudoers.d/lab-ops
echo 'dev ALL=(ALL:ALL) ALL' > /etc/sudoers.d/lab-dev
chmod 0440 /etc/sudoers.d/lab-ops /etc/sudoers.d/lab-dev
rm -f /etc/ssh/ssh_host_*
mkdir -p "/lib/modules/$kernel/kernel" "/lib/modules/$kernel/updates"
: > "/lib/modules/$kernel/modules.order"
: > "/lib/modules/$kernel/modules.builtin"
: > "/lib/modules/$kernel/modules.builtin.modinfo"
depmod -a "$kernel"
# A marked stand-in kernel image: `linux-version list` (and so `update-initramfs -k all`)
# finds installed kernels by their /boot/vmlinuz-* file.
echo "lab stand-in: no kernel image (the lab hosts run this machine's kernel)" \
    > "/boot/vmlinuz-$kernel"
sed -i 's/^COMPRESS=.*/COMPRESS=gzip/' /etc/initramfs-tools/initramfs.conf
update-initramfs -c -k "$kernel"
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
: > /etc/apt/sources.list
rm -f /etc/apt/sources.list.d/*
: > /etc/resolv.conf
rm -f /etc/machine-id /var/lib/dbus/machine-id
"""


@dataclass(frozen=True)
class BaseImage:
    """A built base image and the kernel version it was given."""

    rootfs: Path
    kernel_version: str


def kernel_version() -> str:
    """This machine's kernel release: what `uname -r` reports inside every lab host."""
    return os.uname().release


def recipe_hash(kernel: str) -> str:
    """Hash of everything that decides the base image's contents."""
    digest = hashlib.sha256()
    for part in (SUITE, kernel, " ".join(PACKAGES), KERNEL_CONFIG, SETUP_SCRIPT):
        digest.update(part.encode() + b"\0")
    for asset in sorted(ASSETS.rglob("*")):
        if asset.is_file():
            digest.update(str(asset.relative_to(ASSETS)).encode() + b"\0")
            digest.update(asset.read_bytes() + b"\0")
    return digest.hexdigest()


def is_current(paths: LabPaths, kernel: str) -> bool:
    """True when the cached base image was built from today's recipe."""
    if not paths.base_recipe_hash.is_file() or not paths.base_rootfs.is_dir():
        return False
    return paths.base_recipe_hash.read_text().strip() == recipe_hash(kernel)


def _run(command: list[str], what: str, log: Path, stdin: str | None = None) -> None:
    with log.open("a") as log_file:
        log_file.write(f"$ {' '.join(command)}\n")
        log_file.flush()
        result = subprocess.run(
            command, input=stdin, text=True, stdout=log_file, stderr=subprocess.STDOUT,
            check=False,
        )  # fmt: skip
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-5:])
        raise ProvisionError(
            f"base image: {what} failed (exit {result.returncode}; see {log}): {tail}"
        )


def _install_assets(target: Path) -> None:
    """Copy the lab's stand-ins in; refuse to hide a file the distribution installed."""
    for asset in sorted(ASSETS.rglob("*")):
        if asset.is_file():
            destination = target / asset.relative_to(ASSETS)
            if destination.exists() or destination.is_symlink():
                raise ProvisionError(
                    f"base image: {destination} exists; the lab's stand-in would hide it"
                )
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(asset, destination)
            # Modes set here, not copied: an installed package may not keep the exec bit.
            executable = destination.parent.name in ("bin", "sbin")
            destination.chmod(0o755 if executable else 0o644)


def _build(paths: LabPaths, target: Path, kernel: str, log: Path) -> None:
    debootstrap = require_tool("debootstrap")
    paths.debootstrap_cache.mkdir(parents=True, exist_ok=True)
    _run(
        [debootstrap, "--variant=minbase", f"--include={','.join(PACKAGES)}",
         f"--cache-dir={paths.debootstrap_cache}", SUITE, str(target), debian_mirror(SUITE)],
        "debootstrap", log,
    )  # fmt: skip
    (target / "boot").mkdir(exist_ok=True)
    (target / "boot" / f"config-{kernel}").write_text(KERNEL_CONFIG)
    _install_assets(target)
    # proc is mounted in a private mount namespace only, so no mount outlives the build.
    _run(
        [require_tool("unshare"), "--mount", "--propagation", "private", "/bin/sh", "-c",
         'mount -t proc proc "$1/proc" && exec chroot "$1" /bin/sh -s "$2"', "setup",
         str(target), kernel],
        "setup in chroot", log, stdin=SETUP_SCRIPT,
    )  # fmt: skip


def ensure_base_image(paths: LabPaths) -> BaseImage:
    """The cached base image, built first when missing or its recipe changed."""
    kernel = kernel_version()
    if is_current(paths, kernel):
        return BaseImage(paths.base_rootfs.resolve(), kernel)
    paths.base.mkdir(parents=True, exist_ok=True)
    target = paths.base / "rootfs.new"
    log = paths.base / "build.log"
    if target.exists():
        shutil.rmtree(target)
    log.write_text("")
    _build(paths, target, kernel, log)
    if paths.base_rootfs.exists():
        shutil.rmtree(paths.base_rootfs)
    target.rename(paths.base_rootfs)
    paths.base_recipe_hash.write_text(recipe_hash(kernel) + "\n")
    return BaseImage(paths.base_rootfs.resolve(), kernel)
