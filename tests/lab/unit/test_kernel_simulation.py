"""Planning a boot from a host's files: nouveau, the initrd, the nvidia module."""

from __future__ import annotations

import re
from pathlib import Path

from builders import elf_module, initramfs

from provision_lab.boot_files import write_boot_folder
from provision_lab.kernel_simulation import (
    blacklists_nouveau,
    plan_boot,
    render_nvidia_version,
    render_proc_modules,
)

KERNEL = "6.1.0-18-amd64"
BLACKLIST = b"blacklist nouveau\noptions nouveau modeset=0\n"
PROC_MODULES_LINE = re.compile(
    r"^[a-z_0-9]+ \d+ \d+ (-|([a-z_0-9]+,)+) Live 0x[0-9a-f]{16}( \(POE\))?$"
)


def host_root(tmp_path: Path, *, conf: bytes | None, initrd_conf: bytes | None) -> Path:
    root = tmp_path / "root"
    (root / "etc/modprobe.d").mkdir(parents=True)
    (root / "boot").mkdir()
    (root / "lib/modules" / KERNEL).mkdir(parents=True)
    if conf is not None:
        (root / "etc/modprobe.d/blacklist-nouveau.conf").write_bytes(conf)
    files = {"init": b""}
    if initrd_conf is not None:
        files["etc/modprobe.d/blacklist-nouveau.conf"] = initrd_conf
    (root / "boot" / f"initrd.img-{KERNEL}").write_bytes(initramfs(files))
    return root


def install_module(root: Path, version: str, where: str = "updates/dkms") -> None:
    folder = root / "lib/modules" / KERNEL / where
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nvidia.ko").write_bytes(elf_module({"version": version}))


def plan(root: Path) -> tuple[bool, str | None]:
    state = plan_boot(root, KERNEL, "lab-01", "NVIDIA A100-SXM4-80GB")
    return state.nouveau_loaded, state.nvidia_version


def test_a_fresh_host_loads_nouveau(tmp_path: Path) -> None:
    assert plan(host_root(tmp_path, conf=None, initrd_conf=None)) == (True, None)


def test_the_blacklist_needs_the_rebuilt_initrd(tmp_path: Path) -> None:
    assert plan(host_root(tmp_path, conf=BLACKLIST, initrd_conf=None)) == (True, None)


def test_an_initrd_blacklist_needs_the_file_in_the_root_too(tmp_path: Path) -> None:
    assert plan(host_root(tmp_path, conf=None, initrd_conf=BLACKLIST)) == (True, None)


def test_blacklist_and_initrd_keep_nouveau_out(tmp_path: Path) -> None:
    assert plan(host_root(tmp_path, conf=BLACKLIST, initrd_conf=BLACKLIST)) == (False, None)


def test_the_nvidia_module_loads_only_without_nouveau(tmp_path: Path) -> None:
    blocked = host_root(tmp_path / "a", conf=None, initrd_conf=None)
    install_module(blocked, "535.154.05")
    state = plan_boot(blocked, KERNEL, "lab-01", "GPU")
    assert (state.nouveau_loaded, state.nvidia_version) == (True, None)
    assert "nouveau holds the GPU" in "; ".join(state.notes)
    free = host_root(tmp_path / "b", conf=BLACKLIST, initrd_conf=BLACKLIST)
    install_module(free, "535.154.05")
    assert plan(free) == (False, "535.154.05")


def test_the_dkms_module_wins_over_the_kernel_tree_one(tmp_path: Path) -> None:
    root = host_root(tmp_path, conf=BLACKLIST, initrd_conf=BLACKLIST)
    install_module(root, "515.105.01", where="kernel/drivers/video")
    install_module(root, "550.54.15", where="updates/dkms")
    assert plan(root) == (False, "550.54.15")


def test_blacklist_syntax() -> None:
    assert blacklists_nouveau("# comment\nblacklist nouveau\n")
    assert blacklists_nouveau("install nouveau /bin/false\n")
    assert not blacklists_nouveau("# blacklist nouveau\noptions nouveau modeset=0\n")
    assert not blacklists_nouveau("blacklist nouveau_extra\n")


def test_rendered_files_use_the_kernel_formats(tmp_path: Path) -> None:
    root = host_root(tmp_path, conf=BLACKLIST, initrd_conf=BLACKLIST)
    install_module(root, "535.154.05")
    state = plan_boot(root, KERNEL, "lab-01", "NVIDIA A100-SXM4-80GB")
    lines = render_proc_modules(state).splitlines()
    assert all(PROC_MODULES_LINE.match(line) for line in lines), lines
    assert "nvidia 56823808 2 nvidia_uvm,nvidia_modeset, Live 0x0000000000000000 (POE)" in lines
    assert render_nvidia_version("535.154.05").splitlines()[0] == (
        "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.154.05  Thu Dec 28 15:37:48 UTC 2023"
    )
    folder = tmp_path / "boot"
    write_boot_folder(folder, state)
    assert (folder / "boot_id").read_text() == state.boot_id + "\n"
    information = (folder / "driver/nvidia/gpus/0000:01:00.0/information").read_text()
    assert "Model: \t\t NVIDIA A100-SXM4-80GB\n" in information
    assert (folder / "sys/module/nvidia/version").read_text() == "535.154.05\n"
    assert not (folder / "sys/module/nouveau").exists()


def test_each_boot_gets_a_new_boot_id_but_the_gpu_keeps_its_uuid(tmp_path: Path) -> None:
    root = host_root(tmp_path, conf=None, initrd_conf=None)
    first, second = (plan_boot(root, KERNEL, "lab-01", "GPU") for _ in range(2))
    assert first.boot_id != second.boot_id
    assert first.gpu_uuid == second.gpu_uuid
