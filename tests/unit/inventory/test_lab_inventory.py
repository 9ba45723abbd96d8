"""The shipped example lab loads, and every host has valid connection settings."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from provision.inventory import load_inventory

LAB = Path(__file__).parents[3] / "inventories" / "lab"


def test_lab_has_four_gpu_workstations_on_documentation_addresses() -> None:
    inventory = load_inventory([LAB])
    assert inventory.select("gpu") == inventory.hosts
    assert len(inventory.hosts) == 4
    documentation = ipaddress.ip_network("192.0.2.0/24")
    for host in inventory.hosts:
        settings = inventory.connection(host)
        assert ipaddress.ip_address(settings.host) in documentation
        assert settings.connection == "ssh"
        assert settings.user


def test_lab_yaml_file_alone_gives_the_same_hosts() -> None:
    assert load_inventory([LAB / "hosts.yaml"]).hosts == load_inventory([LAB]).hosts
