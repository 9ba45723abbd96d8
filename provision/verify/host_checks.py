"""Assertions of the system checks (driver, CUDA, cuDNN, conda, libtorch), in testinfra.

Each takes the host under test and the check's parameters and raises `CheckFailed` with
what is wrong, or `CheckSkipped` with why it cannot apply; returning means it passed, and
a returned string is a note for the report. Values reach the shell only through
`provision.shell`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import testinfra.host

from provision import shell
from provision.connection import Connection
from provision.facts.kernel import (
    MODPROBE_FOLDERS,
    blacklists_nouveau,
    disables_nouveau_modeset,
    parse_os_release,
)
from provision.facts.nvidia import parse_proc_version, upstream_version
from provision.packaging.distributions import find_distribution
from provision.packaging.driver_names import Origin, driver_packages
from provision.trusted_paths import guarded, root_folder, trusted_tree

_NVCC_RELEASE = re.compile(r"release (\d+\.\d+), V(\d+\.\d+\.\d+)")
_CUDNN_MACRO = re.compile(r"#define\s+CUDNN_(MAJOR|MINOR|PATCHLEVEL)\s+(\d+)")


class CheckFailed(AssertionError):
    """The host is not as the state says; the message says what is wrong."""


class CheckSkipped(Exception):
    """The check cannot apply to this host (and the state allows that); said in the report."""


@dataclass
class HostUnderTest:
    """A host's connection, its testinfra view, and results shared by several checks."""

    connection: Connection
    host: testinfra.host.Host
    cache: dict[str, Any] = field(default_factory=dict)

    def run(self, line: str, timeout: float | None = None) -> Any:
        """Run a command line built with `provision.shell`."""
        if timeout is None:
            return self.host.run(line)
        return self.host.run(line, timeout=timeout)


def require_trusted(target: HostUnderTest, folder: str) -> None:
    """Fail the check unless root may run programs from `folder` (once per folder and
    host): it and everything under it is root's and writable by nobody else. A missing
    folder passes here, so that the check's own command says what is missing."""
    key = f"trusted:{folder}"
    if key not in target.cache:
        quoted = shell.quote(folder)
        result = target.run(guarded(f"{{ [ ! -e {quoted} ] || {trusted_tree(folder)}; }}"))
        target.cache[key] = "" if result.rc == 0 else _output(result).removeprefix("provision: ")
    if target.cache[key]:
        raise CheckFailed(f"root will not run programs from {folder}: {target.cache[key]}")


def prepare_root_folder(target: HostUnderTest, folder: str) -> None:
    """Make (or check) provision's own working folder `folder`, root's alone."""
    result = target.run(guarded(root_folder(folder)))
    if result.rc != 0:
        raise CheckFailed(f"cannot use {folder}: {_output(result).removeprefix('provision: ')}")


def _output(result: Any) -> str:
    text = f"{result.stdout.strip()} {result.stderr.strip()}".strip()
    return text[-400:] or f"exit code {result.rc}"


def nouveau_blacklisted(target: HostUnderTest, parameters: dict[str, str]) -> None:
    """A modprobe.d file blacklists nouveau and turns its modeset off."""
    files = " ".join(f"{shell.quote(folder)}/*.conf" for folder in MODPROBE_FOLDERS)
    text = target.run(f"cat {files} 2>/dev/null; true").stdout
    if not blacklists_nouveau(text):
        raise CheckFailed("no /etc/modprobe.d file has 'blacklist nouveau'")
    if not disables_nouveau_modeset(text):
        raise CheckFailed("nouveau is blacklisted but no file sets 'options nouveau modeset=0'")


def nouveau_not_loaded(target: HostUnderTest, parameters: dict[str, str]) -> None:
    """Neither `/proc/modules` nor `/sys/module` shows nouveau loaded."""
    probe = (
        "grep -qE '^nouveau ' /proc/modules 2>/dev/null || test -e /sys/module/nouveau/initstate"
    )
    if target.run(probe).rc == 0:
        raise CheckFailed("the nouveau module is loaded (reboot after blacklisting it)")


def driver_package(target: HostUnderTest, parameters: dict[str, str]) -> None:
    """Every driver package, as the host's distribution names it, installed at the desired
    version, and held when asked."""
    wanted = parameters["version"]
    release = parse_os_release(target.run("cat /etc/os-release").stdout)
    distribution = find_distribution(release.id, release.version_id)
    if distribution is None:
        raise CheckFailed(f"{release.pretty_name or release.id} is not a supported distribution")
    origin: Origin = "distro" if parameters["origin"] == "distro" else "nvidia"
    names = driver_packages(
        distribution,
        origin,
        wanted,
        open_modules=parameters["open"] == "yes",
        server=parameters.get("server") == "yes",
    ).install
    for name in names:
        package = target.host.package(name)
        if not package.is_installed:
            raise CheckFailed(f"package {name} is not installed")
        if upstream_version(package.version) != wanted:
            raise CheckFailed(f"package {name} is at {package.version}, not {wanted}")
    if parameters["hold"] == "yes":
        held = set(target.run("apt-mark showhold").stdout.split())
        missing = [name for name in names if name not in held]
        if missing:
            raise CheckFailed(f"not held (apt-mark hold): {', '.join(missing)}")


def driver_module(target: HostUnderTest, parameters: dict[str, str]) -> None:
    """The loaded NVIDIA module is the installed, desired version."""
    result = target.run("cat /proc/driver/nvidia/version")
    if result.rc != 0:
        raise CheckFailed("no NVIDIA module is loaded (/proc/driver/nvidia/version is missing)")
    loaded = parse_proc_version(result.stdout)
    if loaded != parameters["version"]:
        raise CheckFailed(
            f"the loaded module is {loaded}, the desired driver {parameters['version']} "
            "(reboot to load the installed one)"
        )


def nvidia_smi(target: HostUnderTest, parameters: dict[str, str]) -> str:
    """`nvidia-smi` lists the GPUs with the desired driver version."""
    gpus = target.run("ls /proc/driver/nvidia/gpus 2>/dev/null").stdout.split()
    if not gpus and parameters["require_gpu"] == "no":
        raise CheckSkipped("no GPU: nvidia-smi check skipped (verify.require_gpu is false)")
    result = target.run("nvidia-smi --query-gpu=name,driver_version --format=csv,noheader")
    if result.rc != 0 or not result.stdout.strip():
        raise CheckFailed(f"nvidia-smi does not answer: {_output(result)}")
    lines = [line.strip() for line in result.stdout.strip().splitlines()]
    for line in lines:
        if not line.endswith(parameters["version"]):
            raise CheckFailed(f"nvidia-smi reports {line!r}, not driver {parameters['version']}")
    return "; ".join(lines)


def nvcc_version(target: HostUnderTest, parameters: dict[str, str]) -> str:
    """`nvcc --version` of the toolkit reports its X.Y release (its V number is the
    compiler's own build, e.g. V11.8.89 for toolkit 11.8.0)."""
    nvcc = f"{parameters['path']}/bin/nvcc"
    require_trusted(target, parameters["path"])
    result = target.run(shell.command(nvcc, "--version"))
    if result.rc != 0:
        raise CheckFailed(f"{nvcc} --version failed: {_output(result)}")
    match = _NVCC_RELEASE.search(result.stdout)
    found = f"release {match[1]}, V{match[2]}" if match else "no version"
    if not match or match[1] != parameters["release"]:
        raise CheckFailed(f"{nvcc} reports {found}, not release {parameters['release']}")
    return found


def cuda_symlink(target: HostUnderTest, parameters: dict[str, str]) -> None:
    """`/usr/local/cuda` is a symlink to the active toolkit."""
    link = target.host.file("/usr/local/cuda")
    if not link.is_symlink:
        raise CheckFailed("/usr/local/cuda is not a symlink" if link.exists else
                          "/usr/local/cuda does not exist")  # fmt: skip
    wanted = target.host.file(parameters["target"])
    resolved = wanted.linked_to if wanted.is_symlink else parameters["target"]
    if link.linked_to != resolved:
        raise CheckFailed(f"/usr/local/cuda points at {link.linked_to}, not {parameters['target']}")


def cuda_alternative(target: HostUnderTest, parameters: dict[str, str]) -> str | None:
    """The `cuda` alternatives group selects the active toolkit in manual mode, so that
    installing another toolkit's packages does not move `/usr/local/cuda`."""
    result = target.run("LC_ALL=C update-alternatives --query cuda")
    if result.rc != 0:
        if parameters["required"] == "yes":
            raise CheckFailed("there is no cuda alternatives group, though toolkits come from apt")
        return "no cuda alternatives group: /usr/local/cuda is a plain symlink"
    fields = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    status, value = fields.get("Status"), fields.get("Value")
    if status != "manual" or value != parameters["target"]:
        raise CheckFailed(
            f"the cuda alternatives group selects {value or 'nothing'} in {status} mode, not "
            f"{parameters['target']} in manual mode"
        )
    return None


def login_shell(target: HostUnderTest, parameters: dict[str, str]) -> None:
    """An interactive login shell of the user (what a terminal opens) finds the active nvcc
    and has CUDA_HOME set to it."""
    user, path = parameters["user"], parameters["path"]
    probe = 'echo "provision-nvcc=$(command -v nvcc)"; echo "provision-cuda-home=$CUDA_HOME"'
    result = target.run(shell.command("su", "-", user, "-c", f"bash -lic {shell.quote(probe)}"))
    if result.rc != 0:
        raise CheckFailed(f"a login shell of {user} failed: {_output(result)}")
    found = dict(
        line.split("=", 1) for line in result.stdout.splitlines() if line.startswith("provision-")
    )
    nvcc, cuda_home = found.get("provision-nvcc", ""), found.get("provision-cuda-home", "")
    if nvcc != f"{path}/bin/nvcc":
        raise CheckFailed(
            f"a login shell of {user} finds nvcc at {nvcc or 'nowhere'}, not {path}/bin/nvcc"
        )
    if cuda_home != path:
        raise CheckFailed(f"a login shell of {user} has CUDA_HOME={cuda_home!r}, not {path}")


def cudnn(target: HostUnderTest, parameters: dict[str, str]) -> None:
    """cudnn_version.h says the desired version and libcudnn.so.<major> is there."""
    include, version = parameters["include"], parameters["version"]
    header = target.host.file(f"{include}/cudnn_version.h")
    if not header.exists:
        raise CheckFailed(f"{include}/cudnn_version.h is missing")
    macros = dict(_CUDNN_MACRO.findall(header.content_string))
    found = ".".join(macros.get(key, "?") for key in ("MAJOR", "MINOR", "PATCHLEVEL"))
    if found != ".".join(version.split(".")[:3]):
        raise CheckFailed(f"{include}/cudnn_version.h says cuDNN {found}, not {version}")
    major = version.split(".")[0]
    libraries = target.run(
        shell.command(
            "find", "-H", parameters["lib"], "-maxdepth", "2", "-name", f"libcudnn.so.{major}*"
        )
    )
    if libraries.rc != 0 or not libraries.stdout.strip():
        raise CheckFailed(f"no libcudnn.so.{major}* in {parameters['lib']}")


def conda_env(target: HostUnderTest, parameters: dict[str, str]) -> None:
    """The env exists (conda-meta) and its python is the desired X.Y."""
    prefix = parameters["prefix"]
    if not target.host.file(f"{prefix}/conda-meta").is_directory:
        raise CheckFailed(f"the conda env {prefix} does not exist (no conda-meta)")
    require_trusted(target, prefix)
    result = target.run(shell.command(f"{prefix}/bin/python", "--version"))
    found = (result.stdout + result.stderr).strip().removeprefix("Python ")
    if result.rc != 0 or not (found + ".").startswith(parameters["python"] + "."):
        raise CheckFailed(
            f"{prefix}/bin/python is {found or 'missing'}, not {parameters['python']}"
        )


def libtorch_version(target: HostUnderTest, parameters: dict[str, str]) -> None:
    """libtorch's build-version names the desired release and variant."""
    path = f"{parameters['path']}/build-version"
    version_file = target.host.file(path)
    if not version_file.exists:
        raise CheckFailed(f"{path} is missing: no libtorch unpacked in {parameters['path']}")
    found = version_file.content_string.strip()
    wanted = f"{parameters['version']}+{parameters['variant']}"
    if found != wanted:
        raise CheckFailed(f"{path} says {found!r}, not {wanted}")
