"""Variable files beside a source and Ansible's merge order (the oracle cases cover more)."""

from __future__ import annotations

from pathlib import Path

import pytest

from provision.errors import InputError
from provision.inventory import load_inventory
from provision.inventory.variables import find_variable_files


def make(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "hosts.ini"


# (what the inventory declares, the winning value of `x` for host h1)
PRECEDENCE = [
    (
        "child group beats parent group",
        {"hosts.ini": "[p:children]\nc\n[c]\nh1\n[p:vars]\nx=p\n[c:vars]\nx=c\n"},
        "c",
    ),
    (
        "higher priority beats lower at the same depth",
        {"hosts.ini": "[a]\nh1\n[b]\nh1\n[a:vars]\nx=a\nansible_group_priority=5\n[b:vars]\nx=b\n"},
        "a",
    ),
    (
        "later name wins at equal depth and priority",
        {"hosts.ini": "[b]\nh1\n[a]\nh1\n[a:vars]\nx=a\n[b:vars]\nx=b\n"},
        "b",
    ),
    (
        "depth beats priority",
        {
            "hosts.ini": "[p:children]\nc\n[c]\nh1\n"
            "[p:vars]\nx=p\nansible_group_priority=50\n[c:vars]\nx=c\n"
        },
        "c",
    ),
    (
        "group_vars/all beats inventory group vars",
        {"hosts.ini": "[g]\nh1\n[g:vars]\nx=g\n", "group_vars/all.yml": "x: all-file\n"},
        "all-file",
    ),
    (
        "group_vars of a group beat group_vars/all",
        {"hosts.ini": "[g]\nh1\n", "group_vars/all.yml": "x: all\n", "group_vars/g.yml": "x: g\n"},
        "g",
    ),
    (
        "host inventory vars beat every group",
        {"hosts.ini": "[g]\nh1 x=host\n", "group_vars/g.yml": "x: g\n"},
        "host",
    ),
    (
        "host_vars beat host inventory vars",
        {"hosts.ini": "[g]\nh1 x=host\n", "host_vars/h1.yml": "x: host-file\n"},
        "host-file",
    ),
    (
        "later file in a vars folder wins",
        {"hosts.ini": "[g]\nh1\n", "group_vars/g/a.yml": "x: a\n", "group_vars/g/b.yml": "x: b\n"},
        "b",
    ),
    (
        "ungrouped is a group of depth 1",
        {"hosts.ini": "h1\n[all:vars]\nx=all\n[ungrouped:vars]\nx=ungrouped\n"},
        "ungrouped",
    ),
]


@pytest.mark.parametrize(
    ("files", "winner"), [case[1:] for case in PRECEDENCE], ids=[case[0] for case in PRECEDENCE]
)
def test_precedence(tmp_path: Path, files: dict[str, str], winner: str) -> None:
    assert load_inventory([make(tmp_path, files)]).host_vars("h1")["x"] == winner


def test_group_vars_folder_shadows_file_of_same_name(tmp_path: Path) -> None:
    make(tmp_path, {"group_vars/g/main.yml": "x: 1\n", "group_vars/g.yml": "x: 2\n"})
    assert find_variable_files(tmp_path / "group_vars", "g") == [tmp_path / "group_vars/g/main.yml"]


def test_vars_folder_skips_hidden_backup_and_foreign_files(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "group_vars/g/a.yaml": "",
            "group_vars/g/b": "",
            "group_vars/g/sub/c.json": "{}",
            "group_vars/g/.d.yml": "",
            "group_vars/g/e.yml~": "",
            "group_vars/g/f.txt": "",
        },
    )
    found = find_variable_files(tmp_path / "group_vars", "g")
    assert [path.relative_to(tmp_path / "group_vars/g").as_posix() for path in found] == [
        "a.yaml",
        "b",
        "sub/c.json",
    ]


def test_host_vars_returns_a_copy(tmp_path: Path) -> None:
    inventory = load_inventory([make(tmp_path, {"hosts.ini": 'h1 x="[1]"\n'})])
    inventory.host_vars("h1")["x"].append(2)
    assert inventory.host_vars("h1") == {"x": [1]}


def test_unknown_host_is_input_error(tmp_path: Path) -> None:
    inventory = load_inventory([make(tmp_path, {"hosts.ini": "h1\n"})])
    with pytest.raises(InputError, match="host 'h9' is not in the inventory"):
        inventory.host_vars("h9")


BAD_FILES = [
    ("group_vars/all.yml", "x: [1\n", "group_vars/all.yml:2:1: malformed YAML"),
    (
        "group_vars/g.yml",
        "- a\n- b\n",
        "group_vars/g.yml: a variables file must be a mapping of variable names, got list",
    ),
    (
        "host_vars/h1.json",
        '{"x": [}',
        "host_vars/h1.json:1:8: malformed YAML: expected the node content",
    ),
    (
        "group_vars/g/bad.yml",
        "1: one\n",
        "group_vars/g/bad.yml: variable name 1 must be a non-empty string",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_FILES)
def test_bad_vars_file_names_file_and_fault(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    hosts = make(tmp_path, {"hosts.ini": "[g]\nh1\n", name: text})
    with pytest.raises(InputError) as raised:
        load_inventory([hosts])
    assert raised.value.message.startswith(f"{tmp_path}/{message}")


@pytest.mark.parametrize("host", ["../../secret", "..", ".", "a/../../../secret", "/etc/secret"])
def test_a_host_name_that_is_a_path_reads_no_file_outside_host_vars(
    tmp_path: Path, host: str
) -> None:
    inventory_dir = tmp_path / "inventory"
    (inventory_dir / "host_vars/a").mkdir(parents=True)
    for stolen in ("secret.yml", "inventory/stolen.yml", "inventory/host_vars/other.yml"):
        (tmp_path / stolen).write_text("stolen: true\n")
    (inventory_dir / "hosts.ini").write_text(f"{host} ansible_host=127.0.0.1\n")
    inventory = load_inventory([inventory_dir / "hosts.ini"])
    assert inventory.host_vars(host) == {"ansible_host": "127.0.0.1"}
    assert find_variable_files(inventory_dir / "host_vars", host) == []


def test_a_group_name_with_dot_dot_reads_no_file_outside_group_vars(tmp_path: Path) -> None:
    inventory_dir = tmp_path / "inventory"
    (inventory_dir / "group_vars").mkdir(parents=True)
    (inventory_dir / "up.yml").write_text("stolen: true\n")
    (inventory_dir / "hosts.yaml").write_text("'../up':\n  hosts:\n    ws1:\n")
    inventory = load_inventory([inventory_dir / "hosts.yaml"])
    assert inventory.host_vars("ws1") == {}
