"""Snapshots of a host's changes (its overlay upper dir), to start later hosts from.

A converged host's upper dir holds everything a playbook changed; copying it into a new
host's upper dir gives a host in the same state in milliseconds, so a test suite converges
from fresh once and starts the rest of its hosts from the snapshot. Per-host identity (host
key, hostname) is left out and made anew for each host.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from provision.errors import InputError, ProvisionError
from provision_lab.base_image import kernel_version, recipe_hash
from provision_lab.control_node import require_tool
from provision_lab.paths import LabPaths

LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
PER_HOST_FILES = (
    "etc/hostname",
    "etc/hosts",
    "etc/ssh/ssh_host_ed25519_key",
    "etc/ssh/ssh_host_ed25519_key.pub",
)


def snapshot_folder(paths: LabPaths, label: str) -> Path:
    """Where snapshot `label` lives (`<lab>/snapshots/<label>`), after checking the label."""
    if not LABEL.match(label):
        raise InputError(f"snapshot label {label!r}: use letters, digits, '.', '_' or '-'")
    return paths.root / "snapshots" / label


def _copy_tree(source: Path, destination: Path) -> None:
    """Copy with `cp -a`: keeps owners, modes, xattrs and overlayfs whiteouts."""
    destination.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [require_tool("cp"), "-a", "--", f"{source}/.", str(destination)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ProvisionError(f"lab: copying {source} failed: {result.stderr.strip()}")


def take_snapshot(paths: LabPaths, name: str, label: str) -> Path:
    """Save host `name`'s changes as snapshot `label` (replacing an older one)."""
    folder = snapshot_folder(paths, label)
    upper = paths.host(name).upper
    if not upper.is_dir():
        raise InputError(f"lab: no host '{name}' in {paths.root}")
    if folder.exists():
        shutil.rmtree(folder)
    _copy_tree(upper, folder / "upper")
    for relative in PER_HOST_FILES:
        (folder / "upper" / relative).unlink(missing_ok=True)
    (folder / "base.sha256").write_text(recipe_hash(kernel_version()) + "\n")
    return folder


def restore_snapshot(paths: LabPaths, label: str, upper: Path) -> None:
    """Fill a new host's (empty) upper dir from snapshot `label`."""
    folder = snapshot_folder(paths, label)
    if not (folder / "upper").is_dir():
        raise InputError(f"lab: no snapshot '{label}' in {paths.root / 'snapshots'}")
    if (folder / "base.sha256").read_text().strip() != recipe_hash(kernel_version()):
        raise ProvisionError(f"lab: snapshot '{label}' was taken on another base image")
    if upper.exists() and any(upper.iterdir()):
        raise ProvisionError(f"lab: {upper} is not empty; a snapshot only starts a new host")
    _copy_tree(folder / "upper", upper)
