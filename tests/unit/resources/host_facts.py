"""Desired states and facts for plan tests, all from what lab hosts really showed.

`state(patch)` is the sandbox lab's workstation state: the playbook rendered with the
sandbox group_vars and the mirror variables of the lab the facts were recorded on
(`tests/unit/facts/lab-recorded.json`). `recorded(STATE)` is the facts the fact script
printed on a lab host in that state (scripts/record_facts.py), parsed by the real parser.
`fresh_host()` is the recorded fresh host with a GPU on PCI, the one fact no lab host can
show. `merge` deep-merges a patch into a JSON document.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import yaml

from provision.facts.model import Facts, parse_facts
from provision.models import HostState, parse_host_state
from provision.playbook import load_playbook
from provision.templating import VariableResolver

ROOT = Path(__file__).resolve().parents[3]
RECORDED = ROOT / "tests/unit/facts"
# The playbook variables that switch the sandbox workstation to NVIDIA's runfiles (the
# state the `runfile-converged` facts were recorded in).
RUNFILES = {"driver_source": "runfile", "cuda_toolkit_source": "runfile"}
# A GeForce RTX 3090 (PCI device 10de:2204) as sysfs shows it: the lab's hosts have no GPU,
# and every real host takes the planner's GPU-present path.
GPU_ON_PCI = {
    "nvidia": {
        "pci_devices": [{"bus_id": "0000:01:00.0", "pci_class": "0x030000", "device_id": "0x2204"}]
    }
}


def merge(base: Any, patch: Any) -> Any:
    """`patch` deep-merged into a copy of `base`: mappings merge, anything else replaces,
    and a key written `name=` replaces `name` whole instead of merging into it."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = copy.deepcopy(base)
        for key, value in patch.items():
            if key.endswith("="):
                merged[key[:-1]] = copy.deepcopy(value)
            else:
                merged[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(patch)


@functools.cache
def recorded_lab_vars() -> dict[str, Any]:
    """The mirror variables of the lab the `lab-*` facts were recorded on."""
    stamp = json.loads((RECORDED / "lab-recorded.json").read_text())
    lab_vars: dict[str, Any] = stamp["lab_vars"]
    return lab_vars


def sandbox_workstation_document(variables: dict[str, str] | None = None) -> dict[str, Any]:
    """The rendered state document of `playbooks/workstation.yaml` for the recorded lab,
    with extra playbook `variables` (as `-e` gives them)."""
    play = load_playbook(ROOT / "playbooks/workstation.yaml").plays[0]
    group_vars = yaml.safe_load((ROOT / "inventories/sandbox/group_vars/all.yaml").read_text())
    resolved = {**play.vars, **group_vars, **recorded_lab_vars(), **(variables or {})}
    rendered: dict[str, Any] = VariableResolver(resolved).render(play.state, "state")
    return rendered


def state(
    patch: dict[str, Any] | None = None, variables: dict[str, str] | None = None
) -> HostState:
    """The sandbox workstation state (with extra playbook `variables`), `patch` merged in."""
    document = sandbox_workstation_document(variables)
    return parse_host_state(merge(document, patch or {}), "test state")


@functools.cache
def _recorded_document(name: str) -> dict[str, Any]:
    parsed = parse_facts((RECORDED / "cases" / f"lab-{name}.out").read_bytes(), "KEY")
    document: dict[str, Any] = json.loads(parsed.model_dump_json())
    return document


def recorded(name: str, patch: dict[str, Any] | None = None) -> Facts:
    """The facts the fact script printed on a lab host in state `name` (`lab-NAME.out`,
    recorded by scripts/record_facts.py), parsed, with `patch` merged in."""
    return facts(_recorded_document(name), patch)


def fresh_host(patch: dict[str, Any] | None = None) -> Facts:
    """The facts recorded on a fresh lab host (nouveau loaded, nothing NVIDIA), with a GPU
    on PCI and then `patch` merged in."""
    return recorded("fresh", merge(GPU_ON_PCI, patch or {}))


def facts(document: dict[str, Any], patch: dict[str, Any] | None = None) -> Facts:
    """Facts from a document with `patch` merged in."""
    return Facts.model_validate(merge(document, patch or {}))
