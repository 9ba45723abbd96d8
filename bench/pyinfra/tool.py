"""The benchmark adapter for pyinfra: install it, pick its variants, render its inventory.

pyinfra runs as many hosts at once as its default parallelism allows: 20 per CPU core,
capped by the host count and by the open-files limit (`pyinfra.api.state`). Where that
default is below the host count, `parallel-N` measures it with `--parallel N` as well.
"""

from __future__ import annotations

import os
import re
import resource
from pathlib import Path

from bench.errors import BenchError
from bench.pyinfra.inventory_file import render_inventory
from bench.tool import Invocation, Lab
from bench.venvs import installed_versions, pip_install, venv_command

REQUIREMENT = "pyinfra>=3,<4"
DEPLOY = Path(__file__).with_name("deploy.py")
REPOSITORY = Path(__file__).resolve().parents[2]
_PARALLEL = re.compile(r"parallel-([1-9][0-9]*)")


def default_parallel(hosts: int, cpus: int | None = None, open_files: int | None = None) -> int:
    """How many hosts pyinfra 3 works on at once when `--parallel` is not given."""
    cpus = cpus if cpus is not None else os.cpu_count() or 1
    if open_files is None:
        open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return min(cpus * 20, hosts, round((open_files - 10) / 3))


class PyinfraTool:
    """pyinfra 3 with its SSH connector, running bench/pyinfra/deploy.py."""

    name = "pyinfra"

    def install(self, venv: Path) -> dict[str, str]:
        """Create `venv` if needed and install (or upgrade to) the newest pyinfra 3."""
        pip_install(venv, [REQUIREMENT], "--upgrade")
        return installed_versions(venv, ["pyinfra", "paramiko", "gevent"])

    def variants(self, hosts: int) -> list[str]:
        """`default`, plus `parallel-N` when pyinfra would not run all N hosts at once."""
        if default_parallel(hosts) < hosts:
            return ["default", f"parallel-{hosts}"]
        return ["default"]

    def invocation(self, variant: str, lab: Lab, venv: Path) -> Invocation:
        """`pyinfra -y inventory.py deploy.py`, the inventory written to `lab.workdir`."""
        argv = [str(venv_command(venv, "pyinfra")), "-y"]
        parallel = _PARALLEL.fullmatch(variant)
        if parallel:
            argv += ["--parallel", parallel.group(1)]
        elif variant != "default":
            raise BenchError(f"bench: pyinfra has no variant {variant!r} (default, parallel-N)")
        lab.workdir.mkdir(parents=True, exist_ok=True)
        inventory = lab.workdir / "inventory.py"
        inventory.write_text(render_inventory(lab))
        argv += [str(inventory), str(DEPLOY)]
        return Invocation(argv=argv, env={"PYTHONPATH": str(REPOSITORY)}, cwd=lab.workdir)
