"""The floor: the least any SSH tool must spend, one Fabric connection and `true` per host.

Run as its own process (`python -m bench.floor HOSTS.json`), so the measured time includes
interpreter start and importing Fabric: a bounded pool of 10 threads opens one connection per
host, with host key checking against the lab's known_hosts, runs `true`, closes, exits.
`FloorTool` is its adapter.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.tool import Invocation, Lab
from bench.venvs import installed_versions, pip_install, venv_python

POOL_SIZE = 10
HOSTS_FILE = "floor-hosts.json"


def run_true(host: dict[str, Any]) -> str | None:
    """Connect to `host`, run `true`, close; return the error, or None when it worked."""
    import paramiko
    from fabric import Connection

    connection = Connection(
        host=host["address"], user=host["user"], port=host["port"],
        connect_kwargs={
            "key_filename": host["private_key"], "look_for_keys": False, "allow_agent": False,
        },
    )  # fmt: skip
    connection.client.set_missing_host_key_policy(paramiko.RejectPolicy())
    connection.client.load_host_keys(host["known_hosts"])
    try:
        result = connection.run("true", hide=True, warn=True)
    except Exception as error:  # any failure to reach the host is reported, not raised
        return f"{type(error).__name__}: {error}"
    finally:
        connection.close()
    return None if result.exited == 0 else f"`true` exited {result.exited}"


def main(arguments: list[str]) -> int:
    """Run `true` on every host in the JSON file `arguments[0]`; exit 1 if any failed."""
    hosts: list[dict[str, Any]] = json.loads(Path(arguments[0]).read_text())
    with ThreadPoolExecutor(max_workers=POOL_SIZE) as pool:
        errors = list(pool.map(run_true, hosts))
    failed = [(host["name"], error) for host, error in zip(hosts, errors, strict=True) if error]
    for name, error in failed:
        print(f"floor: {name}: {error}", file=sys.stderr)
    return 1 if failed else 0


class FloorTool:
    """The bare Fabric floor, in a venv holding only Fabric."""

    name = "floor"

    def __init__(self, repository: Path) -> None:
        self.repository = repository.absolute()

    def install(self, venv: Path) -> dict[str, str]:
        """Install Fabric from the package index into `venv`."""
        pip_install(venv, ["fabric"])
        return installed_versions(venv, ["fabric", "paramiko", "invoke"])

    def variants(self, hosts: int) -> list[str]:
        """One variant: the pool is always 10 threads."""
        return ["default"]

    def invocation(self, variant: str, lab: Lab, venv: Path) -> Invocation:
        """`python -m bench.floor <workdir>/floor-hosts.json` with the venv's interpreter."""
        if variant != "default":
            raise ValueError(f"floor has no variant {variant!r}")
        hosts = [
            {
                "name": host.name, "address": host.address, "port": host.port,
                "user": host.user, "private_key": str(host.private_key),
                "known_hosts": str(host.known_hosts),
            }
            for host in lab.hosts
        ]  # fmt: skip
        hosts_file = lab.workdir / HOSTS_FILE
        hosts_file.write_text(json.dumps(hosts, indent=2) + "\n")
        argv = [str(venv_python(venv)), "-m", "bench.floor", str(hosts_file)]
        return Invocation(argv=argv, env={}, cwd=self.repository)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
