"""The files a real NVIDIA install leaves and a provisioner reads, as lab stand-ins.

Pure: each function returns the trees (paths as on the installed host) for one product part.
The same trees go into the `.deb` stand-ins, the `.run` payloads and the cuDNN tarballs.
"""

from __future__ import annotations

import json

from provision_lab.mirror.catalog import CudnnBuild, Driver, RealToolkit, Toolkit
from provision_lab.mirror.file_tree import FileTree, TreeFile, render_asset

LIBRARY_DIR = "usr/lib/x86_64-linux-gnu"
EXECUTABLE = 0o755
STAND_IN_LIBRARY = b"LAB STAND-IN: not an NVIDIA library (provision's sandbox lab only)\n"


def _library(note: str) -> TreeFile:
    return TreeFile(STAND_IN_LIBRARY + note.encode() + b"\n")


def driver_utils_tree(driver: Driver) -> FileTree:
    """`nvidia-smi`: the nvidia-smi stand-in."""
    script = render_asset(
        "nvidia-smi.sh",
        {
            "DRIVER_VERSION": driver.version,
            "NVML_VERSION": driver.nvml_version,
            "CUDA_VERSION": driver.cuda_version,
        },
    )
    return FileTree({"usr/bin/nvidia-smi": TreeFile(script.encode(), EXECUTABLE)})


def driver_library_tree(driver: Driver, library: str) -> FileTree:
    """`libcuda1` (`library` libcuda) or `libnvidia-ml1` (libnvidia-ml): the library with
    its SONAME link."""
    version = driver.version
    return FileTree(
        files={f"{LIBRARY_DIR}/{library}.so.{version}": _library(f"{library} {version}")},
        symlinks={f"{LIBRARY_DIR}/{library}.so.1": f"{library}.so.{version}"},
    )


def driver_firmware_tree(driver: Driver) -> FileTree:
    """`firmware-nvidia-gsp`: the GSP firmware of this driver version (a placeholder)."""
    path = f"lib/firmware/nvidia/{driver.version}/gsp_ga10x.bin"
    return FileTree({path: _library(f"GSP firmware {driver.version}")})


def driver_dkms_tree(driver: Driver, module: bytes) -> FileTree:
    """`nvidia-kernel-dkms` / `nvidia-kernel-open-dkms`: the module DKMS builds from
    `/usr/src/nvidia-<version>`."""
    return FileTree({f"usr/src/nvidia-{driver.version}/nvidia.ko": TreeFile(module)})


def toolkit_version_json(toolkit: Toolkit) -> str:
    """`/usr/local/cuda-X.Y/version.json` in NVIDIA's layout (3-space indent, ` : `)."""
    components = {
        "cuda": {"name": "CUDA SDK", "version": toolkit.version},
        "cuda_cudart": {"name": "CUDA Runtime (cudart)", "version": toolkit.component_version},
        "cuda_nvcc": {"name": "CUDA NVCC", "version": toolkit.component_version},
    }
    return json.dumps(components, indent=3, separators=(",", " : ")) + "\n"


def real_toolkit_version_json(real: RealToolkit) -> str:
    """version.json of a toolkit made of NVIDIA's wheels, which carry none: a stand-in file
    (NVIDIA's key names and layout) listing the components the lab packages."""
    names = {
        "nvidia-cuda-cccl": ("cuda_cccl", "CUDA C++ Core Compute Libraries"),
        "nvidia-cuda-crt": ("cuda_crt", "CUDA crt"),
        "nvidia-cuda-runtime": ("cuda_cudart", "CUDA Runtime (cudart)"),
        "nvidia-cuda-nvcc": ("cuda_nvcc", "CUDA NVCC"),
        "nvidia-nvvm": ("libnvvm", "CUDA NVVM"),
    }
    components = {"cuda": {"name": "CUDA SDK", "version": real.toolkit.version}}
    for project, version in sorted(real.wheels, key=lambda wheel: names[wheel[0]][0]):
        key, name = names[project]
        components[key] = {"name": name, "version": version}
    return json.dumps(components, indent=3, separators=(",", " : ")) + "\n"


def toolkit_root(toolkit: Toolkit) -> str:
    """`usr/local/cuda-11.8`: where every file of a toolkit lives."""
    return f"usr/local/cuda-{toolkit.short}"


def toolkit_nvcc_tree(toolkit: Toolkit) -> FileTree:
    """`cuda-nvcc-X-Y`: the nvcc stand-in that prints the real `--version` text."""
    script = render_asset(
        "nvcc.sh",
        {
            "CUDA_SHORT": toolkit.short,
            "COMPONENT_VERSION": toolkit.component_version,
            "BUILT_ON": toolkit.nvcc_built_on,
            "BUILD": toolkit.nvcc_build,
            "COPYRIGHT_YEARS": toolkit.copyright_years,
        },
    )
    return FileTree({f"{toolkit_root(toolkit)}/bin/nvcc": TreeFile(script.encode(), EXECUTABLE)})


def toolkit_cudart_tree(toolkit: Toolkit) -> FileTree:
    """`cuda-cudart-X-Y`: libcudart under targets/, and the `lib64` link as upstream."""
    root = toolkit_root(toolkit)
    library_dir = f"{root}/targets/x86_64-linux/lib"
    full = f"libcudart.so.{toolkit.component_version}"
    return FileTree(
        files={f"{library_dir}/{full}": _library(f"libcudart {toolkit.component_version}")},
        symlinks={
            f"{library_dir}/libcudart.so.{toolkit.cudart_soname_version}": full,
            f"{library_dir}/libcudart.so": f"libcudart.so.{toolkit.cudart_soname_version}",
            f"{root}/lib64": "targets/x86_64-linux/lib",
        },
    )


def toolkit_meta_tree(toolkit: Toolkit) -> FileTree:
    """`cuda-toolkit-X-Y`: the toolkit's version.json."""
    content = toolkit_version_json(toolkit).encode()
    return FileTree({f"{toolkit_root(toolkit)}/version.json": TreeFile(content)})


def toolkit_runfile_tree(toolkit: Toolkit) -> FileTree:
    """Everything a toolkit install lays down under its root, for the `.run` payload."""
    return (
        toolkit_nvcc_tree(toolkit)
        .merged(toolkit_cudart_tree(toolkit))
        .merged(toolkit_meta_tree(toolkit))
    )


def cudnn_version_header(build: CudnnBuild) -> str:
    """`cudnn_version.h` with the CUDNN_MAJOR/MINOR/PATCHLEVEL macros of the build."""
    major, minor, patch = build.short.split(".")
    return render_asset(
        "cudnn_version.h",
        {
            "CUDNN_SHORT": build.short,
            "CUDNN_MAJOR": major,
            "CUDNN_MINOR": minor,
            "CUDNN_PATCHLEVEL": patch,
        },
    )


def _cudnn_main_header(version_header: str) -> bytes:
    text = (
        "/* LAB STAND-IN for cuDNN's main header (provision's sandbox lab only). */\n"
        f'#include "{version_header}"\n'
    )
    return text.encode()


def cudnn_library_tree(build: CudnnBuild) -> FileTree:
    """`libcudnn8`: the runtime library and its SONAME link."""
    full = f"libcudnn.so.{build.short}"
    return FileTree(
        files={f"{LIBRARY_DIR}/{full}": _library(f"cuDNN {build.deb_version}")},
        symlinks={f"{LIBRARY_DIR}/libcudnn.so.{build.major}": full},
    )


def cudnn_dev_tree(build: CudnnBuild) -> FileTree:
    """`libcudnn8-dev`: versioned headers under the multiarch include folder."""
    include = "usr/include/x86_64-linux-gnu"
    version_header = f"cudnn_version_v{build.major}.h"
    return FileTree(
        {
            f"{include}/{version_header}": TreeFile(cudnn_version_header(build).encode()),
            f"{include}/cudnn_v{build.major}.h": TreeFile(_cudnn_main_header(version_header)),
        }
    )


def cudnn_archive_tree(build: CudnnBuild, license_text: str) -> FileTree:
    """The tarball's content: `include/`, `lib/` and `LICENSE` under the archive stem."""
    stem = build.archive_stem
    full = f"libcudnn.so.{build.short}"
    return FileTree(
        files={
            f"{stem}/include/cudnn_version.h": TreeFile(cudnn_version_header(build).encode()),
            f"{stem}/include/cudnn.h": TreeFile(_cudnn_main_header("cudnn_version.h")),
            f"{stem}/lib/{full}": _library(f"cuDNN {build.version} for CUDA {build.cuda_major}"),
            f"{stem}/LICENSE": TreeFile(license_text.encode()),
        },
        symlinks={
            f"{stem}/lib/libcudnn.so.{build.major}": full,
            f"{stem}/lib/libcudnn.so": f"libcudnn.so.{build.major}",
        },
    )
