"""Runfile stand-ins (flags accepted and rejected, payload layout) and cuDNN tarballs.

The checks here run nothing that installs: an unknown flag exits before any change, and
`--extract`/`-x` only unpack into a temporary folder. Installing is tested in a throwaway
root (test_mirror_in_throwaway_root.py).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from provision_lab.mirror import MirrorBuild

DRIVER_RUNFILE = "runfiles/XFree86/Linux-x86_64/535.154.05/NVIDIA-Linux-x86_64-535.154.05.run"
CUDA_RUNFILE = "runfiles/compute/cuda/11.8.0/local_installers/cuda_11.8.0_520.61.05_linux.run"
CUDNN_DIR = "cudnn/compute/cudnn/redist/cudnn/linux-x86_64"


def run(path: Path, *arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(path), *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=60,
    )


def test_runfiles_have_nvidia_names_and_paths(mirror_root: Path) -> None:
    for version in ("515.105.01", "535.154.05", "550.54.15"):
        path = f"runfiles/XFree86/Linux-x86_64/{version}/NVIDIA-Linux-x86_64-{version}.run"
        assert (mirror_root / path).is_file()
    for name in (
        "11.7.1/local_installers/cuda_11.7.1_515.65.01_linux.run",
        "11.8.0/local_installers/cuda_11.8.0_520.61.05_linux.run",
        "12.1.1/local_installers/cuda_12.1.1_530.30.02_linux.run",
    ):
        assert (mirror_root / "runfiles/compute/cuda" / name).is_file()


def test_cuda_md5sum_list_matches_the_installer(mirror_root: Path) -> None:
    sums = (mirror_root / "runfiles/compute/cuda/11.8.0/docs/sidebar/md5sum.txt").read_text()
    digest = hashlib.md5((mirror_root / CUDA_RUNFILE).read_bytes()).hexdigest()
    assert sums == f"{digest}  cuda_11.8.0_520.61.05_linux.run\n"


@pytest.mark.parametrize("flag", ["--frobnicate", "--silently", "-Q", "--toolkit"])
def test_driver_runfile_rejects_unknown_flags(mirror_root: Path, flag: str) -> None:
    result = run(mirror_root / DRIVER_RUNFILE, "--silent", flag)
    assert result.returncode == 1
    assert f'unrecognized option: "{flag}"' in result.stdout


@pytest.mark.parametrize("flag", ["--frobnicate", "--samples", "--dkms", "--toolkitpath"])
def test_cuda_runfile_rejects_unknown_flags(mirror_root: Path, flag: str) -> None:
    result = run(mirror_root / CUDA_RUNFILE, "--silent", flag)
    assert result.returncode == 1
    assert f"Unknown option: {flag}" in result.stdout


def test_cuda_runfile_needs_silent(mirror_root: Path) -> None:
    result = run(mirror_root / CUDA_RUNFILE, "--toolkit")
    assert result.returncode == 1
    assert "--silent" in result.stderr


def test_driver_runfile_extracts_the_driver_tree(mirror_root: Path, tmp_path: Path) -> None:
    result = run(mirror_root / DRIVER_RUNFILE, "-x", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    extracted = tmp_path / "NVIDIA-Linux-x86_64-535.154.05"
    assert (extracted / "root/usr/bin/nvidia-smi").is_file()
    assert (extracted / "root/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.535.154.05").is_file()
    module = extracted / "kernel/nvidia.ko"
    version = subprocess.run(
        ["modinfo", "-F", "version", str(module)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert version == "535.154.05"


def test_cuda_runfile_bundles_toolkit_and_its_driver(mirror_root: Path, tmp_path: Path) -> None:
    result = run(mirror_root / CUDA_RUNFILE, f"--extract={tmp_path}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "toolkit/bin/nvcc").is_file()
    assert (
        json.loads((tmp_path / "toolkit/version.json").read_text())["cuda"]["version"] == "11.8.0"
    )
    assert (tmp_path / "builds/NVIDIA-Linux-x86_64-520.61.05.run").is_file()


@pytest.mark.parametrize("major", ["11", "12"])
def test_cudnn_tarball_has_nvidia_archive_layout(mirror_root: Path, major: str) -> None:
    stem = f"cudnn-linux-x86_64-8.9.7.29_cuda{major}-archive"
    with tarfile.open(mirror_root / CUDNN_DIR / f"{stem}.tar.xz") as archive:
        names = set(archive.getnames())
        header = archive.extractfile(f"{stem}/include/cudnn_version.h")
        assert header is not None
        text = header.read().decode()
    assert {
        f"{stem}/include/cudnn_version.h",
        f"{stem}/lib/libcudnn.so.8.9.7",
        f"{stem}/lib/libcudnn.so.8",
        f"{stem}/LICENSE",
    } <= names
    assert "#define CUDNN_MAJOR 8" in text and "#define CUDNN_PATCHLEVEL 7" in text


def test_cudnn_redistrib_manifest_carries_real_checksums(mirror_root: Path) -> None:
    manifest = json.loads(
        (mirror_root / "cudnn/compute/cudnn/redist/redistrib_8.9.7.json").read_text()
    )
    entry = manifest["cudnn"]["linux-x86_64"]["cuda11"]
    archive = mirror_root / "cudnn/compute/cudnn/redist" / entry["relative_path"]
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == entry["sha256"]
    assert manifest["cudnn"]["cuda_variant"] == ["11", "12"]


def test_urls_keep_upstream_paths(mirror: MirrorBuild) -> None:
    url = mirror.url("http://127.0.0.1:9/", mirror.libtorch_zip)
    assert url == (
        "http://127.0.0.1:9/libtorch/libtorch/cpu/"
        "libtorch-cxx11-abi-shared-with-deps-2.13.0%2Bcpu.zip"
    )


DRIVER_FLAGS = [
    "-a", "--accept-license", "-s", "--silent", "-q", "--no-questions", "--ui=none", "--dkms",
    "--no-dkms", "--no-drm", "--no-opengl-files", "--no-x-check", "--no-nouveau-check",
    "--disable-nouveau", "--no-kernel-modules", "--kernel-source-path=/usr/src/linux",
    "--kernel-source-path", "/usr/src/linux", "-k", "6.1.0-18-amd64", "--tmpdir=/tmp",
    "-m=kernel-open", "--kernel-module-type=proprietary", "--no-backup", "--systemd",
]  # fmt: skip
CUDA_FLAGS = [
    "--silent", "--driver", "--toolkit", "--toolkitpath=/opt/cuda", "--installpath=/opt",
    "--defaultroot=/opt/root", "--no-opengl-libs", "--no-man-page", "--override",
    "--override-driver-check", "--no-drm", "--tmpdir=/tmp", "--kernel-source-path=/usr/src/x",
    "--kernel-object-path=/usr/src/x/obj", "-m=kernel-open", "--run-nvidia-xconfig",
]  # fmt: skip


def test_driver_runfile_accepts_nvidia_installer_flags(mirror_root: Path) -> None:
    result = run(mirror_root / DRIVER_RUNFILE, *DRIVER_FLAGS, "--version")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("nvidia-installer:  version 535.154.05")


def test_cuda_runfile_accepts_cuda_installer_flags(mirror_root: Path) -> None:
    result = run(mirror_root / CUDA_RUNFILE, *CUDA_FLAGS, "--help")
    assert result.returncode == 0, result.stdout
    assert "--toolkitpath=<path>" in result.stdout
