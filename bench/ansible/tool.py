"""The Ansible adapter: ansible-core in its own venv running `bench/ansible/workstation.yml`.

The playbook converges the same workstation as `provision apply playbooks/workstation.yaml`
on the sandbox lab. Ansible's apt modules need python3-apt on the host and its pip module
python3-packaging, which lab hosts lack and cannot fetch (their only repository is the CUDA
mirror), so `install` also downloads those .debs with the control node's apt; the playbook
installs them when missing.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.errors import BenchError
from bench.tool import Invocation, Lab, LabHost
from bench.venvs import installed_versions, pip_install, venv_command

HERE = Path(__file__).resolve().parent
PLAYBOOK = HERE / "workstation.yml"
CONFIG = HERE / "ansible.cfg"
DEFAULT_FORKS = 5
"""ansible-playbook's default `--forks`."""
LAB_GROUP = "gpu"
"""The group the playbook targets, as playbooks/workstation.yaml does."""
TARGET_DEBS = ("python3-apt", "python-apt-common", "distro-info-data", "python3-packaging")
"""The Python libraries Ansible's modules need on a host, with the dependencies a lab host's
base image lacks."""
DEBS_FOLDER = "target-debs"
INVENTORY_FILE = "ansible-inventory.json"
HOME_FOLDER = "ansible-home"


def forks(variant: str) -> int | None:
    """The `--forks` a variant asks for: None for `default`, N for `forks-N`."""
    if variant == "default":
        return None
    count = variant.removeprefix("forks-")
    if variant.startswith("forks-") and count.isdigit() and int(count) > 0:
        return int(count)
    raise BenchError(f"bench: ansible has no variant {variant!r} (default, forks-N)")


def ssh_common_args(host: LabHost) -> str:
    """ssh options that check the host's key against the lab's known_hosts only."""
    return shlex.join(
        [
            "-o",
            f"UserKnownHostsFile={host.known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
        ]
    )


def host_variables(host: LabHost) -> dict[str, Any]:
    """The connection variables of one lab host."""
    return {
        "ansible_host": host.address,
        "ansible_port": host.port,
        "ansible_user": host.user,
        "ansible_ssh_private_key_file": str(host.private_key),
        "ansible_ssh_common_args": ssh_common_args(host),
    }


def inventory_document(lab: Lab, debs: Path) -> dict[str, Any]:
    """The lab as an Ansible YAML/JSON inventory: its hosts in `gpu`, the mirror and the
    folder of the hosts' .debs as variables of all hosts."""
    return {
        "all": {
            "vars": {
                "lab_mirror_url": lab.mirror_url,
                "lab_mirror_apt_source": lab.mirror_apt_source,
                "target_debs_dir": str(debs),
            },
            "children": {
                LAB_GROUP: {"hosts": {host.name: host_variables(host) for host in lab.hosts}}
            },
        }
    }


def control_path_dir(workdir: Path) -> Path:
    """Where ansible's ssh keeps its ControlPersist sockets (by default in ~/.ansible/cp,
    whatever ANSIBLE_HOME says)."""
    return workdir / HOME_FOLDER / "cp"


def environment(workdir: Path) -> dict[str, str]:
    """Ansible's configuration: the bench's ansible.cfg, its state kept in `workdir`."""
    home = workdir / HOME_FOLDER
    return {
        "ANSIBLE_CONFIG": str(CONFIG),
        "ANSIBLE_HOME": str(home),
        "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(control_path_dir(workdir)),
    }


def close_control_masters(workdir: Path) -> int:
    """Stop the ssh masters ansible's default ControlPersist=60s leaves behind (detached
    from the measured process tree); return how many stopped. Calling this after each run
    makes every run open its own connections, as the first one after a reboot does."""
    folder = control_path_dir(workdir)
    sockets = (
        sorted(path for path in folder.iterdir() if path.is_socket()) if folder.is_dir() else []
    )
    stopped = 0
    for socket in sockets:
        result = subprocess.run(
            ["ssh", "-O", "exit", "-o", f"ControlPath={socket}", "ansible-control-master"],
            capture_output=True, check=False, timeout=30,
        )  # fmt: skip
        stopped += result.returncode == 0
    return stopped


def playbook_argv(venv: Path, inventory: Path, fork_count: int | None) -> list[str]:
    """`ansible-playbook -i INVENTORY workstation.yml [--forks N]`."""
    argv = [str(venv_command(venv, "ansible-playbook")), "-i", str(inventory), str(PLAYBOOK)]
    if fork_count is not None:
        argv += ["--forks", str(fork_count)]
    return argv


def deb_versions(folder: Path) -> dict[str, str]:
    """`{package: version}` of the .debs in `folder`, from their `name_version_arch` names."""
    found = {}
    for deb in sorted(folder.glob("*.deb")):
        name, _, rest = deb.stem.partition("_")
        found[name] = rest.rpartition("_")[0].replace("%3a", ":")
    return found


def fetch_target_debs(folder: Path) -> dict[str, str]:
    """Download the hosts' .debs with this machine's apt (its own sources) unless there."""
    found = deb_versions(folder) if folder.is_dir() else {}
    if set(TARGET_DEBS) <= set(found):
        return found
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as staging:
        result = subprocess.run(
            ["apt-get", "download", *TARGET_DEBS],
            cwd=staging, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            tail = " | ".join(result.stderr.strip().splitlines()[-3:])
            raise BenchError(f"bench: apt-get download {' '.join(TARGET_DEBS)} failed: {tail}")
        for old in folder.glob("*.deb"):
            old.unlink()
        for deb in Path(staging).glob("*.deb"):
            deb.rename(folder / deb.name)
    return deb_versions(folder)


class AnsibleTool:
    """ansible-core from the package index, with ansible's defaults."""

    name = "ansible"

    def __init__(self, requirement: str = "ansible-core") -> None:
        self.requirement = requirement

    def install(self, venv: Path) -> dict[str, str]:
        """Install ansible-core into `venv` and fetch the .debs its modules need on hosts."""
        pip_install(venv, [self.requirement], "--upgrade")
        versions = installed_versions(venv, ["ansible-core", "jinja2", "pyyaml"])
        debs = fetch_target_debs(venv / DEBS_FOLDER)
        for package in ("python3-apt", "python3-packaging"):
            versions[f"{package} (lab hosts)"] = debs.get(package, "?")
        return versions

    def variants(self, hosts: int) -> list[str]:
        """The default (5 forks), and `forks-N` when N hosts exceed it."""
        return ["default"] if hosts <= DEFAULT_FORKS else ["default", f"forks-{hosts}"]

    def invocation(self, variant: str, lab: Lab, venv: Path) -> Invocation:
        """`ansible-playbook` on an inventory rendered from `lab` into its work folder."""
        fork_count = forks(variant)
        lab.workdir.mkdir(parents=True, exist_ok=True)
        inventory = lab.workdir / INVENTORY_FILE
        document = inventory_document(lab, (venv / DEBS_FOLDER).absolute())
        inventory.write_text(json.dumps(document, indent=2) + "\n")
        return Invocation(
            argv=playbook_argv(venv.absolute(), inventory, fork_count),
            env=environment(lab.workdir.absolute()),
            cwd=lab.workdir,
        )
