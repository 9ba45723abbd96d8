"""Our inventory against real Ansible: outputs recorded by `regenerate_oracle.py`.

Every case folder holds inventories, the `ansible-inventory --list` document and the
`ansible PATTERN --list-hosts` results that ansible-core printed for them; these tests
load the same sources and require the same answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from provision.errors import InputError
from provision.inventory import Inventory, load_inventory

CASES = Path(__file__).parent / "cases"
CASE_FOLDERS = sorted(path.parent for path in CASES.glob("*/case.json"))


def load_case(folder: Path) -> Inventory:
    case = json.loads((folder / "case.json").read_text())
    return load_inventory(
        [Path(source) if "," in source else folder / source for source in case["sources"]]
    )


def recorded_patterns() -> list[tuple[Path, str, dict[str, Any]]]:
    found: list[tuple[Path, str, dict[str, Any]]] = []
    for folder in CASE_FOLDERS:
        recorded = json.loads((folder / "expected_hosts.json").read_text())["patterns"]
        found.extend((folder, pattern, entry) for pattern, entry in recorded.items())
    return found


def test_every_case_has_recorded_outputs() -> None:
    assert len(CASE_FOLDERS) >= 6
    for folder in CASE_FOLDERS:
        assert (folder / "expected_list.json").is_file(), folder
        assert (folder / "expected_hosts.json").is_file(), folder
        assert (folder / "expected_group_names.json").is_file(), folder


@pytest.mark.parametrize("folder", CASE_FOLDERS, ids=lambda folder: folder.name)
def test_list_matches_ansible_inventory(folder: Path) -> None:
    expected = json.loads((folder / "expected_list.json").read_text())
    assert load_case(folder).to_ansible_list() == expected


@pytest.mark.parametrize("folder", CASE_FOLDERS, ids=lambda folder: folder.name)
def test_list_text_is_byte_identical(folder: Path) -> None:
    expected = (folder / "expected_list.json").read_text()
    ours = json.dumps(load_case(folder).to_ansible_list(), sort_keys=True, indent=4)
    assert ours + "\n" == expected


@pytest.mark.parametrize(
    ("folder", "pattern", "entry"),
    recorded_patterns(),
    ids=[f"{folder.name}:{pattern}" for folder, pattern, _ in recorded_patterns()],
)
def test_select_matches_ansible_list_hosts(
    folder: Path, pattern: str, entry: dict[str, Any]
) -> None:
    inventory = load_case(folder)
    if entry["unmatched"]:
        with pytest.raises(InputError) as raised:
            inventory.select(pattern)
        for term in entry["unmatched"]:
            assert f"'{term}' matches no group or host" in raised.value.message
    else:
        assert inventory.select(pattern) in entry["orders"]


@pytest.mark.parametrize("folder", CASE_FOLDERS, ids=lambda folder: folder.name)
def test_hosts_follow_ansible_all_order(folder: Path) -> None:
    recorded = json.loads((folder / "expected_hosts.json").read_text())["patterns"]
    assert load_case(folder).hosts in recorded["all"]["orders"]


@pytest.mark.parametrize("folder", CASE_FOLDERS, ids=lambda folder: folder.name)
def test_group_names_match_ansible(folder: Path) -> None:
    expected = json.loads((folder / "expected_group_names.json").read_text())
    inventory = load_case(folder)
    assert sorted(expected) == sorted(inventory.hosts)
    assert {host: inventory.group_names(host) for host in inventory.hosts} == expected
