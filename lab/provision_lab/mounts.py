"""Finds and removes the lab's mounts on this machine (never anything outside the lab dir)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from provision.errors import ProvisionError
from provision_lab.control_node import require_tool

MOUNTINFO = Path("/proc/self/mountinfo")


def _unescape(field: str) -> str:
    """Mountinfo escapes space, tab, newline and backslash as octal (`\\040`)."""
    return field.encode().decode("unicode_escape")


def mount_points() -> list[Path]:
    """Every mount point of this mount namespace, in mount order."""
    return [Path(_unescape(line.split()[4])) for line in MOUNTINFO.read_text().splitlines()]


def mounts_under(directory: Path) -> list[Path]:
    """Mount points at or below `directory`, in mount order."""
    return [point for point in mount_points() if point == directory or directory in point.parents]


def overlay_lower_dirs() -> set[Path]:
    """The lower dirs of every overlay mounted on this machine (any lab's hosts)."""
    lower_dirs: set[Path] = set()
    for line in MOUNTINFO.read_text().splitlines():
        _, _, after = line.partition(" - ")
        fields = after.split()
        if len(fields) >= 3 and fields[0] == "overlay":
            for option in fields[2].split(","):
                if option.startswith("lowerdir="):
                    lower_dirs.update(Path(_unescape(part)) for part in option[9:].split(":"))
    return lower_dirs


def is_mounted(point: Path) -> bool:
    """True when something is mounted at `point`."""
    return point in mount_points()


def mount_overlay(lower: Path, upper: Path, work: Path, target: Path) -> None:
    """Mount an overlay of `lower` with its own `upper`/`work` at `target`."""
    options = f"lowerdir={lower},upperdir={upper},workdir={work}"
    for path in (lower, upper, work):
        if any(character in str(path) for character in ",:\\"):
            raise ProvisionError(f"lab: overlay path {path} contains ',', ':' or '\\'")
    result = subprocess.run(
        [require_tool("mount"), "-t", "overlay", "overlay", "-o", options, str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ProvisionError(f"lab: cannot mount the overlay at {target}: {result.stderr.strip()}")


def unmount_all_under(directory: Path) -> list[Path]:
    """Unmount everything at or below `directory`, deepest last-mounted first.

    A lazy unmount is the last resort for a mount still busy; returns what remains.
    """
    umount = require_tool("umount")
    for point in reversed(mounts_under(directory)):
        result = subprocess.run([umount, str(point)], capture_output=True, check=False)
        if result.returncode != 0 and is_mounted(point):
            subprocess.run([umount, "--lazy", str(point)], capture_output=True, check=False)
    return mounts_under(directory)
