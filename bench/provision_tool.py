"""The provision adapter: this checkout, installed into its own venv, converging the lab.

It runs what `scripts/run-lab` runs, `provision apply playbooks/workstation.yaml` on an
inventory folder shaped like `inventories/sandbox` (the lab's generated hosts.yaml beside
the sandbox group_vars), so the lead's own `inventories/sandbox/hosts.yaml` is never used.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bench.tool import Invocation, Lab
from bench.venvs import installed_versions, pip_install, venv_command

PLAYBOOK = Path("playbooks/workstation.yaml")
SANDBOX_GROUP_VARS = Path("inventories/sandbox/group_vars")
DEFAULT_FORKS = 10
"""provision apply's default `--forks`."""


def _git_revision(repository: Path) -> str | None:
    """The checkout's commit, with `+dirty` when it has uncommitted changes (read-only git)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(repository), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(repository), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+dirty" if dirty else head


class ProvisionTool:
    """`provision apply` from this checkout (installed non-editable, as a user gets it)."""

    name = "provision"

    def __init__(self, repository: Path) -> None:
        self.repository = repository.absolute()

    def install(self, venv: Path) -> dict[str, str]:
        """Install this checkout (with its dependencies) into `venv`, replacing older builds."""
        pip_install(venv, [str(self.repository)])
        pip_install(venv, [str(self.repository)], "--no-deps", "--force-reinstall")
        versions = installed_versions(venv, ["provision", "fabric", "paramiko", "pydantic"])
        revision = _git_revision(self.repository)
        if revision is not None:
            versions["provision-git"] = revision
        return versions

    def variants(self, hosts: int) -> list[str]:
        """The default, and `forks-N` when N hosts exceed the default forks."""
        return ["default"] if hosts <= DEFAULT_FORKS else ["default", f"forks-{hosts}"]

    def inventory_folder(self, lab: Lab) -> Path:
        """`<workdir>/inventory`: the lab's hosts.yaml beside a copy of the sandbox group_vars."""
        folder = lab.workdir / "inventory"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        shutil.copyfile(lab.inventory, folder / "hosts.yaml")
        shutil.copytree(self.repository / SANDBOX_GROUP_VARS, folder / "group_vars")
        return folder

    def invocation(self, variant: str, lab: Lab, venv: Path) -> Invocation:
        """`provision apply playbooks/workstation.yaml -i <inventory> --yes --no-reboot
        [--forks N]`: the harness reboots every tool's hosts itself, untimed, so provision's
        first run leaves them reboot-pending (exit 3) as the others leave theirs."""
        argv = [
            str(venv_command(venv, "provision")), "apply", str(PLAYBOOK),
            "-i", str(self.inventory_folder(lab)), "--yes", "--no-reboot",
        ]  # fmt: skip
        if variant.startswith("forks-"):
            argv += ["--forks", str(int(variant.removeprefix("forks-")))]
        elif variant != "default":
            raise ValueError(f"provision has no variant {variant!r}")
        return Invocation(argv=argv, env={}, cwd=self.repository, ok_exit_codes=(0, 3))
