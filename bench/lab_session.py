"""The harness's own sandbox lab: fresh hosts per measurement, reboots, sshd logs.

It drives the lab through `provision lab` in a lab dir of its own (never the lead's `.lab`):
`down` then `up` gives hosts on new overlays of the cached base image (about a second, the
base image and mirror caches are kept), so every tool's first run starts from a fresh host.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from bench.errors import BenchError
from bench.tool import Lab, LabHost
from provision_lab.inventory_writer import LAB_GROUP
from provision_lab.paths import LabPaths

REBOOT_POOL = 10


def provision_lab(lab_dir: Path, *arguments: str) -> str:
    """Run `provision lab ARGUMENTS --dir LAB_DIR` with the harness's provision; return stdout."""
    argv = [sys.executable, "-m", "provision", "lab", *arguments, "--dir", str(lab_dir)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise BenchError(f"bench: `provision lab {arguments[0]}` failed: {' | '.join(message)}")
    return result.stdout


def inventory_file(lab_dir: Path) -> Path:
    """Where the harness has `lab up` write the lab's inventory."""
    return lab_dir.absolute() / "inventory" / "hosts.yaml"


def lab_from_inventory(inventory: Path, workdir: Path) -> Lab:
    """The `Lab` an inventory written by `provision lab up` describes."""
    document: dict[str, Any] = yaml.safe_load(inventory.read_text())
    variables = document["all"]["vars"]
    hosts = document["all"]["children"][LAB_GROUP]["hosts"]
    return Lab(
        hosts=tuple(
            LabHost(
                name=name, address=host["ansible_host"], port=int(host["ansible_port"]),
                user=host["ansible_user"], private_key=Path(host["ansible_ssh_private_key_file"]),
                known_hosts=Path(host["provision_known_hosts"]),
            )
            for name, host in sorted(hosts.items())
        ),
        inventory=inventory,
        mirror_url=variables["lab_mirror_url"],
        mirror_apt_source=variables["lab_mirror_apt_source"],
        workdir=workdir,
    )  # fmt: skip


def fresh_lab(lab_dir: Path, hosts: int, workdir: Path) -> Lab:
    """Take the lab down and bring up `hosts` new hosts; return it with `workdir` created."""
    provision_lab(lab_dir, "down")
    inventory = inventory_file(lab_dir)
    provision_lab(lab_dir, "up", "--hosts", str(hosts), "--inventory", str(inventory))
    workdir.mkdir(parents=True, exist_ok=True)
    return lab_from_inventory(inventory, workdir)


def reboot_all(lab_dir: Path, lab: Lab) -> None:
    """Reboot every host with `provision lab reboot` and wait until each accepts SSH again."""
    with ThreadPoolExecutor(max_workers=REBOOT_POOL) as pool:
        list(pool.map(lambda host: provision_lab(lab_dir, "reboot", host.name), lab.hosts))


def sshd_logs(lab_dir: Path, lab: Lab) -> dict[str, Path]:
    """Each host's sshd log file, by host name."""
    paths = LabPaths.at(lab_dir)
    return {host.name: paths.host(host.name).sshd_log for host in lab.hosts}


def lab_down(lab_dir: Path) -> None:
    """Stop the harness's lab (the caches stay for the next run)."""
    provision_lab(lab_dir, "down")
