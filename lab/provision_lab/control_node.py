"""Checks that this machine can run the lab: Linux, root, and the tools it drives."""

from __future__ import annotations

import os
import platform
import shutil

from provision.errors import EnvironmentNotSupportedError

# Each tool the lab runs on the control node, and the Debian package that ships it.
# (No sshd: the hosts run the sshd of the base image, inside their chroots.)
REQUIRED_TOOLS: dict[str, str] = {
    "debootstrap": "debootstrap",
    "ssh": "openssh-client",
    "ssh-keygen": "openssh-client",
    "ssh-keyscan": "openssh-client",
    "unshare": "util-linux",
    "mount": "mount",
    "umount": "mount",
    "chroot": "coreutils",
    "mknod": "coreutils",
    "hostname": "hostname",
}

TOOL_DIRECTORIES = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def find_tool(name: str) -> str | None:
    """The absolute path of `name`, also looking in sbin folders a user's PATH may lack."""
    path = os.environ.get("PATH", "") + os.pathsep + os.pathsep.join(TOOL_DIRECTORIES)
    return shutil.which(name, path=path)


def require_tool(name: str) -> str:
    """The absolute path of tool `name`, or an error naming its apt package."""
    found = find_tool(name)
    if found is None:
        package = REQUIRED_TOOLS.get(name, name)
        raise EnvironmentNotSupportedError(
            f"the lab needs '{name}' on this machine: apt-get install {package}"
        )
    return found


def check_platform() -> None:
    """Fail with one clear line unless this is Linux and we are root."""
    if platform.system() != "Linux":
        raise EnvironmentNotSupportedError(
            f"the sandbox lab needs Linux (namespaces, overlayfs); this is {platform.system()}"
        )
    if os.geteuid() != 0:
        raise EnvironmentNotSupportedError(
            "the sandbox lab needs root (mounts, namespaces, chroot): run it with sudo"
        )


def check_control_node() -> None:
    """Fail with one clear line unless this is Linux, run as root, with every lab tool."""
    check_platform()
    missing = sorted({REQUIRED_TOOLS[tool] for tool in REQUIRED_TOOLS if find_tool(tool) is None})
    if missing:
        raise EnvironmentNotSupportedError(
            "the sandbox lab needs these apt packages on this machine: "
            f"apt-get install {' '.join(missing)}"
        )
