"""YAML and JSON inventories: structure, shorthand, and the errors for wrong types."""

from __future__ import annotations

from pathlib import Path

import pytest

from provision.errors import InputError
from provision.inventory import load_inventory


def write(tmp_path: Path, text: str, name: str = "hosts.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_string_sections_name_one_entry(tmp_path: Path) -> None:
    inventory = load_inventory([write(tmp_path, "gpu:\n  hosts: ws1\nlab:\n  children: gpu\n")])
    assert inventory.groups["gpu"].hosts == ["ws1"]
    assert inventory.groups["lab"].children == ["gpu"]


def test_ranges_and_ports_in_host_keys(tmp_path: Path) -> None:
    text = "all:\n  hosts:\n    'gpu[01:02].lab:2222':\n      slots: 2\n"
    inventory = load_inventory([write(tmp_path, text)])
    assert inventory.hosts == ["gpu01.lab", "gpu02.lab"]
    assert inventory.host_vars("gpu02.lab") == {"ansible_port": 2222, "slots": 2}


def test_yaml_values_keep_their_types(tmp_path: Path) -> None:
    text = (
        "all:\n  hosts:\n    ws1:\n      enabled: yes\n      mode: '0755'\n      n: 0755\n"
        "      tag: !unsafe '{{ x }}'\n"
    )
    inventory = load_inventory([write(tmp_path, text)])
    assert inventory.host_vars("ws1") == {
        "enabled": True,
        "mode": "0755",
        "n": 493,
        "tag": "{{ x }}",
    }


def test_yaml_boolean_variable_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"hosts\.yaml:4: host 'ws1': variable name True"):
        load_inventory([write(tmp_path, "all:\n  hosts:\n    ws1:\n      on: 1\n")])


def test_json_inventory_is_read_as_yaml(tmp_path: Path) -> None:
    text = '{"gpu": {"hosts": {"ws1": {"slots": 2}}, "vars": {"cuda": "11.8"}}}'
    inventory = load_inventory([write(tmp_path, text, "hosts.json")])
    assert inventory.host_vars("ws1") == {"cuda": "11.8", "slots": 2}


BAD_DOCUMENTS = [
    (
        "all:\n  hosts:\n    - ws1\n    - ws2\n",
        "hosts.yaml:2: group 'all': 'hosts' must be a mapping, got a list",
    ),
    (
        "all:\n  children:\n    gpu: [ws1]\n",
        "hosts.yaml:3: group 'gpu' must be a mapping (hosts, children, vars), got a list",
    ),
    ("all:\n  vars: [a, b]\n", "hosts.yaml:2: group 'all': 'vars' must be a mapping, got a list"),
    (
        "all:\n  host:\n    ws1:\n",
        "hosts.yaml:2: group 'all': unknown key 'host' "
        "(expected hosts, children or vars); did you mean 'hosts'?",
    ),
    (
        "all:\n  hosts:\n    ws1: text\n",
        "hosts.yaml:3: host 'ws1' in group 'all': host variables must be a mapping, got a string",
    ),
    ("all:\n  hosts:\n    12:\n", "hosts.yaml:3: group 'all': host pattern 12 must be a string"),
    (
        "all:\n  hosts:\n    'gpu[01:xx]':\n",
        "hosts.yaml:3: host range '[01:xx]' in 'gpu[01:xx]' must be numeric",
    ),
    (
        "all:\n  hosts:\n    'gpu[3:1]':\n",
        "hosts.yaml:3: host range '[3:1]' in 'gpu[3:1]' must have begin <= end",
    ),
    (
        "all:\n  hosts:\n    'gpu[1:10001]':\n",
        "hosts.yaml:3: host range in 'gpu[1:10001]' expands to 10001 hosts, more than the 10000",
    ),
    (
        "all:\n  hosts:\n    ws1:\n    ws2:\n    ws1:\n",
        "hosts.yaml:5:5: malformed YAML: duplicate key 'ws1' (first set on line 3)",
    ),
    (
        "a:\n  children:\n    b:\n      children:\n        a:\n",
        "hosts.yaml:3: adding group 'b' as a child of 'a' creates a cycle",
    ),
    (
        "all:\n  vars:\n    ansible_group_priority: high\n",
        "hosts.yaml:3: group 'all': ansible_group_priority must be an integer",
    ),
    (
        "all:\n  hosts:\n    ws1: {a: 1\n",
        "hosts.yaml:4:1: malformed YAML: expected ',' or '}', but got '<stream end>'",
    ),
    ("all:\n  hosts: [\n", "hosts.yaml:3:1: malformed YAML"),
    (
        "plugin: aws_ec2\n",
        "hosts.yaml: inventory plugin configurations ('plugin: aws_ec2') are not supported",
    ),
    (
        "all:\n  vars:\n    secret: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n",
        "hosts.yaml:3:13: malformed YAML: Ansible Vault values (!vault) are not supported",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_DOCUMENTS)
def test_bad_yaml_inventory_names_file_line_and_fault(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(InputError) as raised:
        load_inventory([write(tmp_path, text)])
    assert raised.value.message.startswith(f"{tmp_path}/{message}")
    assert "\n" not in raised.value.message
