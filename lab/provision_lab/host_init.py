"""The shell script that is PID 1 of a lab host until it execs sshd inside the chroot.

It runs in the host's new mount, UTS and PID namespaces: mounts a fresh proc, binds
the boot's simulated kernel files over it, gives the host a private /dev and /run,
sets the hostname, then becomes sshd (so killing it ends every process of the host).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

SSHD_LOG_LEVEL = "VERBOSE"  # logs "Starting session: command ..." once per exec request

DEVICE_NODES = (
    ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9),
    ("tty", 5, 0),
)  # fmt: skip
NVIDIA_DEVICE_NODES = (("nvidia0", 195, 0), ("nvidiactl", 195, 255))


@dataclass(frozen=True)
class HostBoot:
    """What one boot of one host needs: where its files are, its name, port, devices."""

    name: str
    port: int
    merged: Path
    boot_folder: Path
    control: Path
    nvidia_loaded: bool


def _device_lines(nodes: tuple[tuple[str, int, int], ...]) -> list[str]:
    return [f'mknod -m 0666 "$M/dev/{name}" c {major} {minor}' for name, major, minor in nodes]


def render_init_script(boot: HostBoot) -> str:
    """The init script for `boot` (every path is quoted; the name and port are validated)."""
    if not boot.name.replace("-", "").isalnum() or not 0 < boot.port < 65536:
        raise ValueError(f"invalid host name or port: {boot.name!r} {boot.port!r}")
    devices = DEVICE_NODES + (NVIDIA_DEVICE_NODES if boot.nvidia_loaded else ())
    lines = [
        "set -eu",
        f"M={shlex.quote(str(boot.merged))}",
        f"B={shlex.quote(str(boot.boot_folder))}",
        f"C={shlex.quote(str(boot.control))}",
        'mount -t proc -o nosuid,nodev,noexec proc "$M/proc"',
        'mount --bind -o ro "$B/boot_id" "$M/proc/sys/kernel/random/boot_id"',
        'if [ -e "$M/proc/modules" ]; then mount --bind -o ro "$B/modules" "$M/proc/modules"; fi',
        'if [ -d "$M/proc/driver" ]; then mount --bind -o ro "$B/driver" "$M/proc/driver"; fi',
        'mount --bind -o ro "$B/sys" "$M/sys"',
        'mount -t tmpfs -o mode=0755,nosuid,size=16m lab-dev "$M/dev"',
        *_device_lines(devices),
        'mkdir "$M/dev/pts" "$M/dev/shm"',
        'mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$M/dev/pts"',
        'mount -t tmpfs -o mode=1777,nosuid,nodev shm "$M/dev/shm"',
        'ln -s pts/ptmx "$M/dev/ptmx"',
        'ln -s /proc/self/fd "$M/dev/fd"',
        'ln -s /proc/self/fd/0 "$M/dev/stdin"',
        'ln -s /proc/self/fd/1 "$M/dev/stdout"',
        'ln -s /proc/self/fd/2 "$M/dev/stderr"',
        'mount -t tmpfs -o mode=0755,nosuid,nodev,size=64m run "$M/run"',
        'mkdir -p "$M/run/sshd" "$M/run/provision-lab" "$M/run/lock"',
        'mount --bind "$C" "$M/run/provision-lab"',
        'mount --bind -o ro "$B" "$M/run/provision-lab/boot"',
        f"hostname {boot.name}",
        f'exec chroot "$M" /usr/sbin/sshd -D -e -p {boot.port} -o ListenAddress=127.0.0.1 '
        f"-o LogLevel={SSHD_LOG_LEVEL} -o HostKey=/etc/ssh/ssh_host_ed25519_key -o PidFile=none",
    ]
    return "\n".join(lines) + "\n"
