"""Where the lab keeps each thing: everything lives under one lab directory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from provision.errors import InputError

HOST_NAME_PREFIX = "lab-"
HOST_NAME = re.compile(r"^lab-[0-9]{2,3}$")


def host_name(number: int) -> str:
    """The name of the lab's host number `number` (1 -> `lab-01`)."""
    return f"{HOST_NAME_PREFIX}{number:02d}"


@dataclass(frozen=True)
class HostPaths:
    """The files of one lab host, all under `<lab>/hosts/<name>/`."""

    root: Path

    @property
    def upper(self) -> Path:
        """Overlay upper dir: everything the host changed relative to the base image."""
        return self.root / "upper"

    @property
    def work(self) -> Path:
        """Overlay work dir (overlayfs needs it on the upper dir's filesystem)."""
        return self.root / "work"

    @property
    def merged(self) -> Path:
        """Mount point of the host's overlay: its `/`."""
        return self.root / "root"

    @property
    def control(self) -> Path:
        """Folder shared with the host at `/run/provision-lab` (reboot requests, boot files)."""
        return self.root / "control"

    @property
    def reboot_fifo(self) -> Path:
        """Named pipe the supervisor reads reboot requests from."""
        return self.control / "reboot.fifo"

    @property
    def boots(self) -> Path:
        """Per-boot folders holding the simulated kernel files of each boot."""
        return self.root / "boots"

    @property
    def sshd_log(self) -> Path:
        """sshd's log (connections, exec and subsystem requests), appended across boots."""
        return self.root / "sshd.log"

    @property
    def supervisor_log(self) -> Path:
        """The supervisor's own log."""
        return self.root / "supervisor.log"

    @property
    def config_file(self) -> Path:
        """JSON written by `lab up`: name, port, kernel, stand-in GPU, reboot delay."""
        return self.root / "host.json"

    @property
    def init_script(self) -> Path:
        """The current boot's init script (PID 1 of the host until it execs sshd)."""
        return self.root / "init.sh"

    @property
    def status_file(self) -> Path:
        """JSON written by the supervisor: state, boot id, PIDs of the running boot."""
        return self.root / "status.json"


@dataclass(frozen=True)
class LabPaths:
    """The layout of a lab directory (default `.lab` in the current folder)."""

    root: Path

    @classmethod
    def at(cls, directory: Path) -> LabPaths:
        """The layout of the lab directory `directory`, made absolute."""
        return cls(directory.expanduser().absolute())

    @property
    def base(self) -> Path:
        """Base image cache folder (may be a symlink to another lab's, to share it)."""
        return self.root / "base"

    @property
    def base_rootfs(self) -> Path:
        """The debootstrap image every host's overlay has as its lower layer."""
        return self.base / "rootfs"

    @property
    def base_recipe_hash(self) -> Path:
        """Hash of the recipe the cached base image was built from."""
        return self.base / "recipe.sha256"

    @property
    def debootstrap_cache(self) -> Path:
        """Downloaded .deb files kept between base image builds."""
        return self.base / "debs"

    @property
    def mirror(self) -> Path:
        """Cache folder of the lab mirror (built once, then served over HTTP)."""
        return self.root / "mirror"

    @property
    def mirror_content(self) -> Path:
        """The folder the mirror HTTP server serves."""
        return self.mirror / "content"

    @property
    def mirror_log(self) -> Path:
        """The mirror HTTP server's request log."""
        return self.root / "mirror-server.log"

    @property
    def ssh(self) -> Path:
        """Client key, known_hosts and the `dev` user's password."""
        return self.root / "ssh"

    @property
    def client_key(self) -> Path:
        """Private key the lab's clients log in with (root, ops, dev)."""
        return self.ssh / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        """Exactly the running lab hosts' keys, as `[127.0.0.1]:PORT key`."""
        return self.ssh / "known_hosts"

    @property
    def dev_password(self) -> Path:
        """The `dev` user's sudo password (mode 0600)."""
        return self.ssh / "dev-password"

    @property
    def hosts(self) -> Path:
        """One folder per host."""
        return self.root / "hosts"

    @property
    def state_file(self) -> Path:
        """The lab's state: hosts, ports, recorded PIDs, the mirror server."""
        return self.root / "state.json"

    @property
    def lock_file(self) -> Path:
        """Held while a command changes the lab, so two `up`s never race."""
        return self.root / "lock"

    def host(self, name: str) -> HostPaths:
        """The files of host `name` (a lab host name, so no path can escape the lab dir)."""
        if not HOST_NAME.match(name):
            raise InputError(f"'{name}' is not a lab host name (lab-01, lab-02, ...)")
        return HostPaths(self.hosts / name)
