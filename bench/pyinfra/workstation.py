"""The workstation the pyinfra deploy converges, as plain data and pure helpers.

The values are those `provision plan playbooks/workstation.yaml` lists for a fresh sandbox
lab host (with inventories/sandbox/group_vars/all.yaml): the same packages, versions,
paths, file contents and commands, so that the benchmark compares tools converging one
and the same machine. Kept free of pyinfra imports so the harness and the unit tests can
use it without pyinfra installed.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping

DRIVER_BRANCH = "535"
DRIVER_VERSION = "535.154.05-0ubuntu1"
DRIVER_PACKAGES = (
    f"nvidia-driver-{DRIVER_BRANCH}",
    f"nvidia-dkms-{DRIVER_BRANCH}",
    f"nvidia-utils-{DRIVER_BRANCH}",
    f"libnvidia-compute-{DRIVER_BRANCH}",
)
TOOLKITS = {"11.7": "11.7.1-1", "11.8": "11.8.0-1", "12.1": "12.1.1-1"}
ACTIVE_CUDA = "11.8"
CUDNN_APT_VERSION = "8.9.7.29-1+cuda11.8"
CUDNN_APT_PACKAGES = ("libcudnn8", "libcudnn8-dev")
CUDNN_TARBALL_VERSION = "8.9.7.29"
CUDNN_TARBALL_CUDA = "12.1"
SHELL_USERS = {"root": "/root", "ops": "/home/ops"}
CONDA_PREFIX = "/opt/conda"
CONDA_ENV = "/opt/conda/envs/torch"
PYTHON_VERSION = "3.11"
TORCH_VERSION = "2.13.0+cpu"
LIBTORCH_VERSION = "2.13.0+cpu"
LIBTORCH_PATH = "/opt/libtorch"
DOWNLOADS = "/var/cache/pyinfra-bench/downloads"

NOUVEAU_BLACKLIST_PATH = "/etc/modprobe.d/blacklist-nouveau.conf"
NOUVEAU_BLACKLIST = (
    "# Managed by provision: keeps nouveau away from the NVIDIA driver.\n"
    "blacklist nouveau\n"
    "options nouveau modeset=0\n"
)
APT_SOURCE_PATH = "/etc/apt/sources.list.d/provision-cuda.list"
BLOCK_MARKER = "# {mark} provision: cuda"
INTERACTIVE_GUARD = r"^case \$- in"

_DRIVER_PACKAGE = re.compile(
    r"(?:(?:nvidia|libnvidia|xserver-xorg-video-nvidia)(?:-[a-z0-9.+-]+?)?|cuda-drivers)"
    r"-(?P<branch>[0-9]{3})(?:-open|-server(?:-open)?)?"
)


def apt_source_file(apt_source: str) -> str:
    """The apt source list naming the lab mirror's repository, as provision writes it."""
    return f"# Managed by provision: the apt repository of the CUDA packages.\n{apt_source}\n"


def cuda_profile_block(release: str = ACTIVE_CUDA) -> str:
    """The lines between the .bashrc markers that make CUDA `release` the active one."""
    home = shlex.quote(f"/usr/local/cuda-{release}")
    return (
        f"# Managed by provision: CUDA {release} is active. Edits inside this block are replaced.\n"
        f"export CUDA_HOME={home}\n"
        'export PATH="$CUDA_HOME/bin${PATH:+:$PATH}"\n'
        'export LD_LIBRARY_PATH="$CUDA_HOME/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"\n'
        'export LIBRARY_PATH="$CUDA_HOME/lib64${LIBRARY_PATH:+:$LIBRARY_PATH}"'
    )


def conflicting_driver_packages(installed: Mapping[str, Iterable[str]]) -> list[str]:
    """Installed NVIDIA driver packages (`installed`: name to versions, as pyinfra's
    `DebPackages` fact gives them) of another branch than the wanted one, sorted.

    A package's branch comes from its name (`nvidia-dkms-515`, `libnvidia-compute-550`), or
    for NVIDIA's unversioned `cuda-drivers` from its version's major; every other package
    (`nvidia-container-toolkit`, `cuda-toolkit-11-8`) is not a driver."""
    conflicting = set()
    for name, versions in installed.items():
        if name == "cuda-drivers":
            majors = {version.split(".")[0] for version in versions}
            if majors - {DRIVER_BRANCH}:
                conflicting.add(name)
            continue
        match = _DRIVER_PACKAGE.fullmatch(name)
        if match and match.group("branch") != DRIVER_BRANCH:
            conflicting.add(name)
    return sorted(conflicting)


def installed_toolkit_packages(installed: Iterable[str]) -> list[str]:
    """The `cuda-toolkit-X-Y` packages present, which a driver purge must not take along."""
    pattern = re.compile(r"cuda-toolkit-[0-9]+-[0-9]+")
    return sorted(name for name in installed if pattern.fullmatch(name))


def missing_holds(held_output: str | None, packages: Iterable[str]) -> list[str]:
    """The packages of `packages` that `apt-mark showhold` (its output; pyinfra's `Command`
    fact gives None for no output) does not list."""
    held = set((held_output or "").split())
    return [name for name in packages if name not in held]


def mirror_urls(mirror_url: str) -> dict[str, str]:
    """The lab mirror URLs of the artefacts fetched over HTTP, by what they are."""
    base = mirror_url.rstrip("/")
    cudnn = f"cudnn-linux-x86_64-{CUDNN_TARBALL_VERSION}_cuda12-archive.tar.xz"
    libtorch = f"libtorch-cxx11-abi-shared-with-deps-{LIBTORCH_VERSION.replace('+', '%2B')}.zip"
    return {
        "cudnn": f"{base}/cudnn/compute/cudnn/redist/cudnn/linux-x86_64/{cudnn}",
        "conda": f"{base}/conda/miniconda/Miniconda3-latest-Linux-x86_64.sh",
        "libtorch": f"{base}/libtorch/libtorch/cpu/{libtorch}",
        "wheels": f"{base}/wheels/simple",
    }


def cudnn_tarball_install(archive: str) -> str:
    """Unpack the cuDNN archive into the CUDA 12 toolkit, as provision's plan does."""
    staging = shlex.quote(f"{DOWNLOADS}/cudnn-{CUDNN_TARBALL_VERSION}-cuda12")
    cuda = shlex.quote(f"/usr/local/cuda-{CUDNN_TARBALL_CUDA}")
    return (
        f"rm -rf {staging} && mkdir -p {staging} {cuda}/include {cuda}/lib64"
        f" && tar -xJf {shlex.quote(archive)} -C {staging} --strip-components=1 --no-same-owner"
        f" && cp -P -R {staging}/include/. {cuda}/include/"
        f" && cp -P -R {staging}/lib/. {cuda}/lib64/"
        f" && rm -rf {staging} && ldconfig"
    )


def libtorch_install(archive: str) -> str:
    """Unpack the libtorch zip to a staging folder and move it into place."""
    new = shlex.quote(f"{LIBTORCH_PATH}.pyinfra-new")
    target = shlex.quote(LIBTORCH_PATH)
    return (
        f"rm -rf {new} && mkdir -p {new} && unzip -q {shlex.quote(archive)} -d {new}"
        f" && rm -rf {target} && mv -T {new}/libtorch {target} && rm -rf {new}"
    )


def cudnn_header_version_command(release: str = CUDNN_TARBALL_CUDA) -> str:
    """Prints `MAJOR.MINOR.PATCHLEVEL` of the cuDNN header in CUDA `release` (empty if none)."""
    header = shlex.quote(f"/usr/local/cuda-{release}/include/cudnn_version.h")
    return (
        f'awk \'/#define CUDNN_(MAJOR|MINOR|PATCHLEVEL) /{{v = v (v ? "." : "") $3}}'
        f" END{{print v}}' {header} 2>/dev/null || true"
    )
