"""Per boot, a host's kernel state follows its own files: the nouveau blacklist and the
initramfs built from it, and the installed nvidia module's version."""

from __future__ import annotations

import subprocess

import pytest

from provision_lab.kernel_simulation import DEFAULT_GPU, GPU_BUS_ID
from provision_lab.paths import LabPaths
from provision_lab.pytest_plugin import LabHost, SshRunner, wait_for_new_boot
from provision_lab.state import load_state
from tests.conftest import provision_program

pytestmark = pytest.mark.lab

BLACKLIST = (
    "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' "
    "> /etc/modprobe.d/blacklist-nouveau.conf"
)
# A real ELF relocatable object with a .modinfo section, built on the host.
FAKE_MODULE = """set -e
cd "$(mktemp -d)"
printf 'license=NVIDIA\\0version={version}\\0name=nvidia\\0' > modinfo
echo 'int nvidia_stand_in;' > module.c
g++ -x c -c module.c -o module.o
directory=/lib/modules/$(uname -r)/updates/dkms
mkdir -p "$directory"
objcopy --add-section .modinfo=modinfo module.o "$directory/nvidia.ko"
"""


def reboot(ssh: SshRunner, host: LabHost) -> None:
    before = ssh(host, "cat /proc/sys/kernel/random/boot_id").stdout.strip()
    assert ssh(host, "reboot", check=False).returncode in (0, 255)
    wait_for_new_boot(host, before)


def loaded_modules(ssh: SshRunner, host: LabHost) -> set[str]:
    lines = ssh(host, "lsmod").stdout.splitlines()
    assert lines[0].split() == ["Module", "Size", "Used", "by"]
    return {line.split()[0] for line in lines[1:]}


def test_a_fresh_host_has_nouveau_loaded_and_no_nvidia(fresh_host: LabHost, ssh: SshRunner) -> None:
    assert "nouveau" in loaded_modules(ssh, fresh_host)
    assert ssh(fresh_host, "cat /sys/module/nouveau/initstate").stdout == "live\n"
    absent = "test ! -e /proc/driver/nvidia/version && test ! -e /dev/nvidia0"
    assert ssh(fresh_host, absent, check=False).returncode == 0


def test_the_blacklist_alone_does_not_unload_nouveau(fresh_host: LabHost, ssh: SshRunner) -> None:
    ssh(fresh_host, BLACKLIST)
    reboot(ssh, fresh_host)
    assert "nouveau" in loaded_modules(ssh, fresh_host)


def test_blacklist_initramfs_and_reboot_unload_nouveau(fresh_host: LabHost, ssh: SshRunner) -> None:
    ssh(fresh_host, f"{BLACKLIST} && update-initramfs -u")
    assert "nouveau" in loaded_modules(ssh, fresh_host)
    reboot(ssh, fresh_host)
    assert "nouveau" not in loaded_modules(ssh, fresh_host)
    assert ssh(fresh_host, "test -e /sys/module/nouveau", check=False).returncode == 1


def test_an_installed_module_is_loaded_at_the_next_boot(
    fresh_host: LabHost, ssh: SshRunner
) -> None:
    ssh(fresh_host, FAKE_MODULE.format(version="999.88.77"))
    ssh(fresh_host, f"{BLACKLIST} && update-initramfs -u")
    assert ssh(fresh_host, "test -e /proc/driver/nvidia/version", check=False).returncode == 1
    reboot(ssh, fresh_host)
    version = ssh(fresh_host, "cat /proc/driver/nvidia/version").stdout
    assert version.startswith("NVRM version: NVIDIA UNIX x86_64 Kernel Module  999.88.77  ")
    assert {"nvidia", "nvidia_uvm", "nvidia_modeset"} <= loaded_modules(ssh, fresh_host)
    assert (
        ssh(fresh_host, "stat -c %F /dev/nvidia0 /dev/nvidiactl").stdout.splitlines()
        == ["character special file"] * 2
    )
    information = ssh(fresh_host, f"cat /proc/driver/nvidia/gpus/{GPU_BUS_ID}/information").stdout
    assert f"Model: \t\t {DEFAULT_GPU}\n" in information
    assert ssh(fresh_host, "cat /sys/module/nvidia/version").stdout == "999.88.77\n"


def test_nouveau_keeps_the_nvidia_module_from_loading(fresh_host: LabHost, ssh: SshRunner) -> None:
    ssh(fresh_host, FAKE_MODULE.format(version="535.154.05"))
    reboot(ssh, fresh_host)
    modules = loaded_modules(ssh, fresh_host)
    assert "nouveau" in modules and "nvidia" not in modules
    assert ssh(fresh_host, "test -e /proc/driver/nvidia/version", check=False).returncode == 1


def test_the_stand_in_gpu_is_chosen_per_lab(second_lab: LabPaths, ssh: SshRunner) -> None:
    gpu = "NVIDIA H100 80GB HBM3"
    result = subprocess.run(
        [provision_program(), "lab", "up", "--hosts", "1", "--gpu", gpu,
         "--dir", str(second_lab.root), "--inventory", str(second_lab.root / "hosts.yaml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    host = LabHost("lab-01", load_state(second_lab.state_file).hosts["lab-01"].port, second_lab)
    ssh(host, FAKE_MODULE.format(version="550.54.15"))
    ssh(host, f"{BLACKLIST} && update-initramfs -u")
    reboot(ssh, host)
    information = ssh(host, f"cat /proc/driver/nvidia/gpus/{GPU_BUS_ID}/information").stdout
    assert f"Model: \t\t {gpu}\n" in information
