"""Record the fact script's raw output on sandbox lab hosts, in the states unit tests need.

Run `.venv/bin/python scripts/record_facts.py` on a machine set up by
`scripts/setup-machine` with no lab running: it brings up two lab hosts, drives them
through the states below with the real `provision apply`, runs the current fact script
(rendered for the sandbox workstation state, key `KEY`) on them over SSH, and writes
`tests/unit/facts/cases/lab-<state>.out` with the parsed `.json` beside it, then takes
the lab down. Review the diff of the `.json` files before committing: they are what the
unit tests read as "a fresh host", "a converged host" and so on.

States: `fresh` (just up: nouveau loaded, nothing NVIDIA), `installed-not-rebooted`
(applied with `--no-reboot`: driver packages in, module not loaded), `converged` (the
workstation applied), `drifted` (converged, then an nvcc deleted, the active link
removed and a user's managed block edited by hand), `runfile-converged` (the workstation
applied with the runfile driver and runfile toolkits, on the second host),
`distro-converged` (the workstation applied with Debian's own driver on the third host,
whose apt sources name the lab's stand-in of Debian's archive with `main` only: one-line
for `bookworm`, deb822 for `bookworm-security`).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from provision import shell
from provision.connection import CommandResult
from provision.facts import parse_facts, render_script
from provision.host_connections import open_connection
from provision.inventory import load_inventory
from provision.playbook import load_playbook, parse_extra_vars, resolve_playbook
from provision.reconcile import facts_request

ROOT = Path(__file__).resolve().parents[1]
PROVISION = ROOT / ".venv/bin/provision"
PLAYBOOK = ROOT / "playbooks/workstation.yaml"
INVENTORY = ROOT / "inventories/sandbox"
CASES = ROOT / "tests/unit/facts/cases"
TEMPLATE = ROOT / "provision/templates/facts.sh.j2"
KEY = "KEY"
REBOOT_PENDING_EXIT = 3
"""`apply`'s exit code for a host left reboot-pending (the README's table)."""
RUNFILE_VARS = ["-e", "driver_source=runfile", "-e", "cuda_toolkit_source=runfile"]
DISTRO_VARS = ["-e", "driver_source=distro", "-e", "driver_version=535.261.03"]
DEBIAN_SOURCES = """\
echo 'deb [trusted=yes] {url}/debian bookworm main' > /etc/apt/sources.list
printf 'Types: deb\\nURIs: %s\\nSuites: bookworm-security\\nComponents: main\\nTrusted: yes\\n' \\
  '{url}/debian-security' > /etc/apt/sources.list.d/debian-security.sources
"""
DRIFT = (
    "rm -f /usr/local/cuda-11.7/bin/nvcc && rm -f /usr/local/cuda && "
    "sed -i 's#^export CUDA_HOME=/usr/local/cuda-11.8$#export CUDA_HOME=/usr/local/cuda-11.7#' "
    "/home/ops/.bashrc"
)


def provision(*arguments: str, allowed: tuple[int, ...] = (0,)) -> None:
    """Run the real CLI; any exit code but `allowed` stops the recording."""
    print("+ provision", " ".join(arguments), flush=True)
    code = subprocess.run([str(PROVISION), *arguments], cwd=ROOT, check=False).returncode
    if code not in allowed:
        raise SystemExit(f"record-facts: provision {' '.join(arguments)} exited {code}")


def record(host: str, state: str, extra_vars: list[str]) -> None:
    """Run the fact script for the workstation state on `host`; write its output and parse."""
    inventory = load_inventory([INVENTORY])
    targets = resolve_playbook(
        load_playbook(PLAYBOOK), inventory, host, parse_extra_vars(extra_vars[1::2])
    )
    script = render_script(facts_request(targets[0].hosts[0].state), key=KEY)
    result = run_on(host, script.text, timeout=120.0)
    facts = parse_facts(result.stdout, KEY)
    if not facts.complete:
        raise SystemExit(f"record-facts: the fact script did not finish on {host}")
    (CASES / f"lab-{state}.out").write_bytes(result.stdout)
    document = json.loads(facts.model_dump_json())
    (CASES / f"lab-{state}.json").write_text(json.dumps(document, indent=2) + "\n")
    print(f"record-facts: wrote lab-{state}.out and .json from {host}", flush=True)


def on_host(host: str, command: str) -> None:
    """Change a lab host by hand, as a user or an admin would."""
    if run_on(host, command, timeout=60.0).exit_code != 0:
        raise SystemExit(f"record-facts: {command!r} failed on {host}")


def run_on(host: str, script: str, timeout: float) -> CommandResult:
    """`script` run as root on `host` over a connection of its own: the applies between
    two steps reboot the hosts, so no connection outlives a step."""
    inventory = load_inventory([INVENTORY])
    connection = open_connection(inventory.connection(host), inventory.host_vars(host))
    try:
        return connection.run(shell.command("sh", "-c", script), timeout=timeout, sudo=True)
    finally:
        connection.close()


def lab_vars() -> dict[str, object]:
    """The variables `provision lab up` wrote for this lab (its mirror's URL, apt line
    and checksums): the unit tests render the workstation state with them, so that the
    recorded converged host is converged to exactly that state."""
    variables = load_inventory([INVENTORY]).host_vars("lab-01")
    return {name: variables[name] for name in sorted(variables) if name.startswith("lab_mirror")}


def apply(*arguments: str, allowed: tuple[int, ...] = (0,)) -> None:
    """Apply the workstation playbook to the sandbox inventory."""
    provision("apply", str(PLAYBOOK), "-i", str(INVENTORY), "--yes", *arguments, allowed=allowed)


def main() -> None:
    provision("lab", "up", "--hosts", "3")
    try:
        record("lab-01", "fresh", [])
        apply("--limit", "lab-01", "--no-reboot", allowed=(REBOOT_PENDING_EXIT,))
        record("lab-01", "installed-not-rebooted", [])
        apply("--limit", "lab-01")
        record("lab-01", "converged", [])
        on_host("lab-01", DRIFT)
        record("lab-01", "drifted", [])
        apply("--limit", "lab-02", *RUNFILE_VARS)
        record("lab-02", "runfile-converged", RUNFILE_VARS)
        on_host("lab-03", DEBIAN_SOURCES.format(url=lab_vars()["lab_mirror_url"]))
        apply("--limit", "lab-03", *DISTRO_VARS)
        record("lab-03", "distro-converged", DISTRO_VARS)
        stamp = {
            "fact_script_sha256": hashlib.sha256(TEMPLATE.read_bytes()).hexdigest(),
            "lab_vars": lab_vars(),
        }
        (CASES.parent / "lab-recorded.json").write_text(json.dumps(stamp, indent=2) + "\n")
    finally:
        provision("lab", "down")


if __name__ == "__main__":
    main()
