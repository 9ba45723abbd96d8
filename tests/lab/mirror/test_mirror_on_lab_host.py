"""The mirror on a lab host, over real SSH: the notes' driver story, end to end.

A fresh host gets the mirror's apt source (as provision would write it), installs
the 535 driver with real apt, and `nvidia-smi` follows the kernel the lab simulates:
no driver until nouveau is blacklisted and the host rebooted, then 535; after an upgrade to
580 without a reboot, NVML's version mismatch; after the reboot, 580. The libtorch zip from
the mirror builds and runs the notes' C++ example on the host.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner, wait_for_new_boot

pytestmark = pytest.mark.lab

EXAMPLE = Path(__file__).resolve().parents[3] / "provision/templates/libtorch-example"

BLACKLIST = (
    "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' "
    "> /etc/modprobe.d/blacklist-nouveau.conf && update-initramfs -u"
)
QUERY = "nvidia-smi --query-gpu=driver_version --format=csv,noheader"


def reboot(ssh: SshRunner, host: LabHost) -> None:
    before = ssh(host, "cat /proc/sys/kernel/random/boot_id").stdout.strip()
    ssh(host, "reboot", check=False)  # the session may drop before ssh reads the exit status
    wait_for_new_boot(host, before)


# Every part at 535.154.05: the parts depend on each other exactly, and apt resolves a
# dependency to its newest release (580) unless told the version of each.
DRIVER_535 = " ".join(
    f"{name}=535.154.05-1"
    for name in (
        "nvidia-driver", "nvidia-driver-libs", "nvidia-driver-bin", "nvidia-alternative",
        "nvidia-kernel-dkms", "nvidia-kernel-support", "firmware-nvidia-gsp", "libcuda1",
        "libnvidia-ml1", "nvidia-smi",
    )
)  # fmt: skip


def add_mirror_source(lab: RunningLab, ssh: SshRunner, host: LabHost) -> str:
    mirror = lab.state().mirror
    assert mirror is not None, "the lab runs no mirror server"
    ssh(host, f"echo '{mirror.apt_source}' > /etc/apt/sources.list.d/lab-mirror.list")
    ssh(host, "apt-get update -q", timeout=300)
    return mirror.url


def test_driver_install_mismatch_and_reboot(
    lab: RunningLab, fresh_host: LabHost, ssh: SshRunner
) -> None:
    add_mirror_source(lab, ssh, fresh_host)
    ssh(fresh_host, f"DEBIAN_FRONTEND=noninteractive apt-get install -y -q {DRIVER_535}")
    module = "modinfo -F version /lib/modules/$(uname -r)/updates/dkms/nvidia.ko"
    assert ssh(fresh_host, module).stdout.strip() == "535.154.05"
    assert ssh(fresh_host, "nvidia-smi", check=False).returncode == 9

    ssh(fresh_host, BLACKLIST)
    reboot(ssh, fresh_host)
    assert ssh(fresh_host, QUERY).stdout.strip() == "535.154.05"
    table = ssh(fresh_host, "nvidia-smi").stdout
    assert "Driver Version: 535.154.05   CUDA Version: 12.2" in table

    ssh(fresh_host, "DEBIAN_FRONTEND=noninteractive apt-get install -y -q nvidia-driver nvidia-smi")
    stale = ssh(fresh_host, "nvidia-smi", check=False)
    assert stale.returncode == 18
    assert stale.stdout.startswith("Failed to initialize NVML: Driver/library version mismatch")
    reboot(ssh, fresh_host)
    assert ssh(fresh_host, QUERY).stdout.strip() == "580.95.05"


def test_careless_purge_takes_the_toolkit_on_a_host(
    lab: RunningLab, fresh_host: LabHost, ssh: SshRunner
) -> None:
    add_mirror_source(lab, ssh, fresh_host)
    install = "apt-get install -y -q cuda-11-8"
    ssh(fresh_host, f"DEBIAN_FRONTEND=noninteractive {install}", timeout=300)
    assert "release 11.8, V11.8.89" in ssh(fresh_host, "/usr/local/cuda/bin/nvcc -V").stdout
    ssh(fresh_host, "apt-get --purge remove -y -q 'nvidia*' && apt-get --purge autoremove -y -q")
    gone = ssh(fresh_host, "dpkg-query -W cuda-toolkit-11-8", check=False)
    assert gone.returncode != 0
    assert ssh(fresh_host, "test -e /usr/local/cuda-11.8", check=False).returncode == 1


def test_libtorch_from_the_mirror_builds_the_example_on_a_host(
    lab: RunningLab, fresh_host: LabHost, ssh: SshRunner
) -> None:
    mirror = lab.state().mirror
    assert mirror is not None
    zip_url = (
        f"{mirror.url}/libtorch/libtorch/cpu/libtorch-cxx11-abi-shared-with-deps-2.13.0%2Bcpu.zip"
    )
    example = "/work/example"
    ssh(fresh_host, f"mkdir -p {example} && cd /opt && curl -fsS -o libtorch.zip '{zip_url}'")
    ssh(fresh_host, "cd /opt && python3 -m zipfile -e libtorch.zip . && chmod -R a+rX libtorch")
    for name in ("example-app.cpp", "CMakeLists.txt"):
        text = (EXAMPLE / name).read_text(encoding="utf-8")
        ssh(fresh_host, f"cat > {example}/{name} <<'EOF'\n{text}EOF")
    build = (
        f"cd {example} && cmake -S . -B build -DCMAKE_PREFIX_PATH=/opt/libtorch >/dev/null"
        " && cmake --build build -j2 >/dev/null && ./build/example-app"
    )
    output = ssh(fresh_host, build, timeout=900).stdout.strip().splitlines()
    assert output[-1] == "[ CPUFloatType{2,3} ]"
    assert [len(row.split()) for row in output[:-1]] == [3, 3]
