"""The inventory's names and group priorities: what no source may declare."""

from __future__ import annotations

from typing import Any

import pytest

from provision.inventory.model import InventoryData, InventoryStructureError


@pytest.mark.parametrize("name", ["ws1\nall", "ws1\t", "ws\x1b[2J", "ws\x7f", "ws\x85", "ws\u2028"])
def test_a_host_name_with_a_control_character_is_refused(name: str) -> None:
    with pytest.raises(InventoryStructureError, match=r"host name .* holds a control character"):
        InventoryData().add_host(name)


def test_a_group_name_with_a_control_character_is_refused() -> None:
    with pytest.raises(InventoryStructureError, match=r"group name 'g\\n' holds a control"):
        InventoryData().add_group("g\n")


@pytest.mark.parametrize("name", ["gpü-01", "ws 1", "192.0.2.1"])
def test_other_names_are_kept(name: str) -> None:
    data = InventoryData()
    data.add_host(name)
    assert name in data.hosts


@pytest.mark.parametrize(("value", "priority"), [(5, 5), ("7", 7), (" -2 ", -2), (2.9, 2)])
def test_a_priority_is_read_as_ansible_reads_it(value: Any, priority: int) -> None:
    data = InventoryData()
    data.add_group("g")
    data.set_group_variable("g", "ansible_group_priority", value)
    assert data.groups["g"].priority == priority


@pytest.mark.parametrize("value", [float("inf"), float("nan"), "²", "٣", "high", "9" * 5000, None])
def test_a_priority_that_is_no_integer_is_refused(value: Any) -> None:
    data = InventoryData()
    data.add_group("g")
    with pytest.raises(InventoryStructureError, match="ansible_group_priority must be an integer"):
        data.set_group_variable("g", "ansible_group_priority", value)
