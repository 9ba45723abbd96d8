"""Installing from the mirror for real, as root, in a throwaway root (see conftest.py).

Real apt and dpkg install the stand-ins from `deb [trusted=yes] file:/mirror/apt ./`; the
runfiles run as they would on a host. `/proc/driver/nvidia` is written by the script as the
lab's boot writes it, and `/proc/modules` lists what the test says is loaded.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest

pytestmark = pytest.mark.lab

Run = Callable[..., subprocess.CompletedProcess[str]]

APT_SETUP = """
export DEBIAN_FRONTEND=noninteractive
rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
echo 'deb [trusted=yes] file:/mirror/apt ./' > /etc/apt/sources.list.d/lab-mirror.list
apt-get -o APT::Sandbox::User=root update -q >/dev/null
APT="apt-get -o APT::Sandbox::User=root -y -q"
boot() {
    mkdir -p /proc/driver/nvidia/gpus/0000:01:00.0
    printf 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  %s  Thu Dec 28 2023\\n' "$1" \\
        > /proc/driver/nvidia/version
    printf 'Model: \\t\\t NVIDIA GeForce RTX 3090\\nBus Location: \\t 0000:01:00.0\\n' \\
        > /proc/driver/nvidia/gpus/0000:01:00.0/information
}
"""


def checked(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout.splitlines()


def test_apt_driver_install_mismatch_then_match(run_in_throwaway_root: Run) -> None:
    lines = checked(
        run_in_throwaway_root(
            APT_SETUP
            + """
$APT install nvidia-driver=535.154.05-1 nvidia-driver-libs=535.154.05-1 \\
  nvidia-driver-bin=535.154.05-1 nvidia-alternative=535.154.05-1 \\
  nvidia-kernel-dkms=535.154.05-1 nvidia-kernel-support=535.154.05-1 \\
  firmware-nvidia-gsp=535.154.05-1 libcuda1=535.154.05-1 libnvidia-ml1=535.154.05-1 \\
  nvidia-smi=535.154.05-1 >/dev/null
echo "module=$(modinfo -F version /lib/modules/$(uname -r)/updates/dkms/nvidia.ko)"
nvidia-smi >/dev/null; echo "unloaded=$?"
boot 515.105.01; nvidia-smi | head -n 1; echo "stale=$?"
boot 535.154.05; nvidia-smi --query-gpu=driver_version --format=csv,noheader
$APT install nvidia-driver nvidia-smi >/dev/null
echo "upgraded=$(modinfo -F version /lib/modules/$(uname -r)/updates/dkms/nvidia.ko)"
dpkg-query -W -f='${Version}\\n' nvidia-smi
"""
        )
    )
    assert lines[0] == "module=535.154.05"
    assert lines[1] == "unloaded=9"
    assert lines[2] == "Failed to initialize NVML: Driver/library version mismatch"
    assert "535.154.05" in lines
    assert "upgraded=580.95.05" in lines
    assert lines[-1] == "580.95.05-1"


def test_careless_purge_takes_the_toolkit_and_module(run_in_throwaway_root: Run) -> None:
    lines = checked(
        run_in_throwaway_root(
            APT_SETUP
            + """
$APT install cuda-11-8 cuda-toolkit-12-1 \\
    libcudnn8=8.9.7.29-1+cuda12.2 libcudnn8-dev=8.9.7.29-1+cuda12.2 >/dev/null
echo "cuda=$(readlink -f /usr/local/cuda)"
echo "cuda11=$(readlink -f /usr/local/cuda-11)"
echo "nvcc=$(/usr/local/cuda-11.8/bin/nvcc --version | grep release)"
grep -h CUDNN_MAJOR /usr/include/cudnn_version.h
$APT --purge remove 'nvidia*' >/dev/null
$APT --purge autoremove >/dev/null
for package in cuda-toolkit-11-8 cuda-11-8 cuda-toolkit-12-1; do
    echo "$package=$(dpkg-query -W -f='${db:Status-Abbrev}' $package 2>/dev/null)"
done
ls /usr/local/cuda-11.8 2>/dev/null || echo "cuda-11.8 removed"
ls /lib/modules/$(uname -r)/updates/dkms/nvidia.ko 2>/dev/null || echo "module removed"
echo "cuda-after=$(readlink -f /usr/local/cuda)"
"""
        )
    )
    assert "cuda=/usr/local/cuda-12.1" in lines
    assert "cuda11=/usr/local/cuda-11.8" in lines
    assert "nvcc=Cuda compilation tools, release 11.8, V11.8.89" in lines
    assert "#define CUDNN_MAJOR 8" in lines
    assert "cuda-toolkit-11-8=" in lines and "cuda-11-8=" in lines
    assert "cuda-toolkit-12-1=ii " in lines
    assert "cuda-11.8 removed" in lines and "module removed" in lines
    assert "cuda-after=/usr/local/cuda-12.1" in lines


def test_driver_runfile_refuses_while_nouveau_is_loaded(run_in_throwaway_root: Run) -> None:
    result = run_in_throwaway_root(
        "sh /mirror/runfiles/XFree86/Linux-x86_64/535.154.05/NVIDIA-Linux-x86_64-535.154.05.run"
        ' --silent --disable-nouveau; echo "status=$?";'
        " cat /etc/modprobe.d/nvidia-installer-disable-nouveau.conf; ls /usr/bin/nvidia-smi",
        loaded_modules="nouveau 2433024 0 - Live 0x0",
    )
    assert "The Nouveau kernel driver is currently in use by your system." in result.stdout
    assert "status=1" in result.stdout
    assert "blacklist nouveau" in result.stdout
    assert "No such file" in result.stderr


def test_driver_runfile_installs_with_dkms_and_uninstalls(run_in_throwaway_root: Run) -> None:
    lines = checked(
        run_in_throwaway_root(
            """
set -e
sh /mirror/runfiles/XFree86/Linux-x86_64/535.154.05/NVIDIA-Linux-x86_64-535.154.05.run \\
    --silent --dkms --no-drm --no-opengl-files --no-x-check \\
    --kernel-source-path=/usr/src/linux >/dev/null
echo "module=$(modinfo -F version /lib/modules/$(uname -r)/updates/dkms/nvidia.ko)"
echo "smi=$(ls /usr/bin/nvidia-smi)"
nvidia-uninstall >/dev/null
ls /usr/bin/nvidia-smi 2>/dev/null || echo "smi removed"
""",
            loaded_modules="nvidia 56823808 0 - Live 0x0",
        )
    )
    assert lines == ["module=535.154.05", "smi=/usr/bin/nvidia-smi", "smi removed"]


def test_cuda_runfile_installs_toolkit_and_bundled_driver(run_in_throwaway_root: Run) -> None:
    lines = checked(
        run_in_throwaway_root("""
set -e
sh /mirror/runfiles/compute/cuda/11.8.0/local_installers/cuda_11.8.0_520.61.05_linux.run \\
    --silent --toolkit --driver --no-opengl-libs --override | grep -E '^(Driver|Toolkit):'
echo "cuda=$(readlink /usr/local/cuda)"
/usr/local/cuda/bin/nvcc -V | tail -n 2 | head -n 1
echo "module=$(modinfo -F version /lib/modules/$(uname -r)/kernel/drivers/video/nvidia.ko)"
sh /mirror/runfiles/compute/cuda/12.1.1/local_installers/cuda_12.1.1_530.30.02_linux.run \\
    --silent --toolkit --toolkitpath=/opt/cuda-12.1 >/dev/null
release="$(/opt/cuda-12.1/bin/nvcc --version | grep -c 'release 12.1')"
echo "side-by-side=$release $(readlink /usr/local/cuda)"
""")
    )
    assert lines == [
        "Driver:   Installed",
        "Toolkit:  Installed in /usr/local/cuda-11.8/",
        "cuda=/usr/local/cuda-11.8",
        "Cuda compilation tools, release 11.8, V11.8.89",
        "module=520.61.05",
        "side-by-side=1 /usr/local/cuda-11.8",
    ]
