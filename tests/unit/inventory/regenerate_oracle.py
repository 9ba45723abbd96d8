"""Regenerate the recorded Ansible outputs the inventory tests compare against.

Not part of the test run and not a dependency of provision: it needs ansible-core in a
throwaway virtual environment, for example

    python3 -m venv /tmp/ansible-oracle
    /tmp/ansible-oracle/bin/pip install ansible-core
    python3 tests/unit/inventory/regenerate_oracle.py --ansible-bin /tmp/ansible-oracle/bin

For every `cases/<name>/case.json` (`sources`: the `-i` arguments, relative to the case
folder; `patterns`: host patterns) it writes, beside it:

- `expected_list.json`: what `ansible-inventory -i ... --list` prints;
- `expected_group_names.json`: each host's `group_names`, as the `debug` module shows it;
- `expected_hosts.json`: for each pattern, the host lists `ansible PATTERN --list-hosts`
  printed over several runs (Ansible walks grandchild groups in an unspecified set order,
  so a pattern may have more than one recorded order), and the terms Ansible reported as
  matching nothing ("Could not match supplied host pattern").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

CASES = Path(__file__).parent / "cases"
UNMATCHED = "Could not match supplied host pattern, ignoring: "


def ansible_environment(home: str) -> dict[str, str]:
    """A clean Ansible environment: no user config, no colour, failures loud."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    config = Path(home) / "ansible.cfg"
    config.write_text("[defaults]\n")
    env.update(
        ANSIBLE_CONFIG=str(config),
        ANSIBLE_HOME=home,
        ANSIBLE_LOCAL_TEMP=home,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="1",
        ANSIBLE_DEPRECATION_WARNINGS="0",
    )
    return env


def source_arguments(case: dict[str, Any]) -> list[str]:
    return [argument for source in case["sources"] for argument in ("-i", source)]


def run(command: list[str], folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {folder}:\n{result.stderr}")
    return result


def list_hosts(
    bin_dir: Path, folder: Path, case: dict[str, Any], pattern: str, env: dict[str, str]
) -> tuple[list[str], list[str]]:
    command = [str(bin_dir / "ansible"), *source_arguments(case), pattern, "--list-hosts"]
    result = run(command, folder, env)
    lines = result.stdout.splitlines()
    hosts = [line.strip() for line in lines[1:] if line.strip()]
    stderr = " ".join(result.stderr.split())
    unmatched = [part.split(" ")[0].rstrip("[") for part in stderr.split(UNMATCHED)[1:]]
    return hosts, unmatched


def record_case(bin_dir: Path, folder: Path, runs: int, env: dict[str, str]) -> None:
    case = json.loads((folder / "case.json").read_text())
    listing = run(
        [str(bin_dir / "ansible-inventory"), *source_arguments(case), "--list"], folder, env
    )
    (folder / "expected_list.json").write_text(listing.stdout)
    group_names = run(
        [
            str(bin_dir / "ansible"),
            *source_arguments(case),
            "all",
            "-o",
            "-m",
            "debug",
            "-a",
            "var=group_names",
        ],
        folder,
        env,
    )
    names = {}
    for line in group_names.stdout.splitlines():
        host, _, result = line.partition(" | SUCCESS => ")
        names[host] = json.loads(result)["group_names"]
    (folder / "expected_group_names.json").write_text(
        json.dumps(names, indent=2, sort_keys=True) + "\n"
    )
    jobs = [(pattern, attempt) for pattern in case["patterns"] for attempt in range(runs)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda job: list_hosts(bin_dir, folder, case, job[0], env), jobs))
    recorded: dict[str, dict[str, Any]] = {}
    for (pattern, _attempt), (hosts, unmatched) in zip(jobs, results, strict=True):
        entry = recorded.setdefault(pattern, {"orders": [], "unmatched": unmatched})
        if hosts not in entry["orders"]:
            entry["orders"].append(hosts)
    version = run([str(bin_dir / "ansible"), "--version"], folder, env).stdout.split("\n")[0]
    document = {"generated_by": version, "runs": runs, "patterns": recorded}
    (folder / "expected_hosts.json").write_text(json.dumps(document, indent=2) + "\n")
    print(f"{folder.name}: {len(recorded)} patterns recorded with {version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ansible-bin", type=Path, default=Path("/tmp/ansible-oracle/bin"))
    parser.add_argument("--runs", type=int, default=6, help="runs per pattern (order varies)")
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    arguments = parser.parse_args()
    folders = sorted(path.parent for path in CASES.glob("*/case.json"))
    if arguments.cases:
        folders = [folder for folder in folders if folder.name in arguments.cases]
    with tempfile.TemporaryDirectory() as home:
        env = ansible_environment(home)
        for folder in folders:
            record_case(arguments.ansible_bin, folder, arguments.runs, env)


if __name__ == "__main__":
    main()
