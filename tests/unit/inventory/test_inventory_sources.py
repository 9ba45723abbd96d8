"""Sources: format detection as Ansible does it, folders, several `-i`, refusals."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from provision.errors import InputError
from provision.inventory import load_inventory


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", ["hosts", "hosts.yml", "hosts.ini", "hosts.cfg"])
def test_ini_text_is_read_whatever_the_name(tmp_path: Path, name: str) -> None:
    inventory = load_inventory([write(tmp_path / name, "[gpu]\nws1\n")])
    assert inventory.groups["gpu"].hosts == ["ws1"]


@pytest.mark.parametrize("name", ["hosts", "hosts.yaml", "hosts.json"])
def test_yaml_text_is_read_from_yaml_names_and_no_extension(tmp_path: Path, name: str) -> None:
    inventory = load_inventory([write(tmp_path / name, '{"gpu": {"hosts": {"ws1": null}}}')])
    assert inventory.groups["gpu"].hosts == ["ws1"]


def test_empty_file_is_an_empty_inventory(tmp_path: Path) -> None:
    assert load_inventory([write(tmp_path / "hosts.yaml", "")]).hosts == []


def test_folder_reads_files_in_name_order_and_skips_ignored(tmp_path: Path) -> None:
    write(tmp_path / "inv/b.ini", "[g]\nb1\n")
    write(tmp_path / "inv/a.yaml", "g:\n  hosts:\n    a1:\n")
    write(tmp_path / "inv/sub/c", "[g]\nc1\n")
    write(tmp_path / "inv/README.md", "# not inventory\n")
    write(tmp_path / "inv/.hidden", "[g]\nhidden\n")
    write(tmp_path / "inv/group_vars/g.yml", "x: 1\n")
    inventory = load_inventory([tmp_path / "inv"])
    assert inventory.groups["g"].hosts == ["a1", "b1", "c1"]
    assert inventory.host_vars("c1") == {"x": 1}


def test_several_sources_merge(tmp_path: Path) -> None:
    first = write(tmp_path / "a/hosts.ini", "[g]\nh1\n")
    second = write(tmp_path / "b/hosts.yaml", "g:\n  hosts:\n    h2:\n")
    write(tmp_path / "b/host_vars/h1.yml", "from_b: true\n")
    inventory = load_inventory([first, second])
    assert inventory.hosts == ["h1", "h2"]
    assert inventory.host_vars("h1") == {"from_b": True}


def test_reconcile_places_hosts_in_ungrouped(tmp_path: Path) -> None:
    inventory = load_inventory([write(tmp_path / "hosts.ini", "lone\nboth\n[g]\nboth\n")])
    assert inventory.groups["ungrouped"].hosts == ["lone"]
    assert inventory.groups["all"].children == ["ungrouped", "g"]
    assert inventory.groups["g"].depth == 1


BAD_SOURCES = [
    ({}, "missing", "missing: inventory not found (no such file or folder)"),
    ({"hosts.toml": "[all]\n"}, "hosts.toml", "hosts.toml: TOML inventories are not supported"),
    ({"hosts.yml": "all:\n  hosts: [\n"}, "hosts.yml", "hosts.yml:3:1: malformed YAML"),
    (
        {"hosts": "[gpu]\ngpu[01:xx]\n"},
        "hosts",
        "hosts:2: host range '[01:xx]' in 'gpu[01:xx]' must be numeric (01:16) "
        "or single letters (a:c) (nor is it a YAML inventory:",
    ),
    (
        {"inv/a.ini": "[g]\nok\n", "inv/b.ini": "[g:bad]\n"},
        "inv",
        "inv/b.ini:1: section [g:bad] has unknown type: bad",
    ),
]


@pytest.mark.parametrize(("files", "source", "message"), BAD_SOURCES)
def test_bad_sources_name_the_file(
    tmp_path: Path, files: dict[str, str], source: str, message: str
) -> None:
    for name, text in files.items():
        write(tmp_path / name, text)
    with pytest.raises(InputError) as raised:
        load_inventory([tmp_path / source])
    assert raised.value.message.startswith(f"{tmp_path}/{message}")
    assert "\n" not in raised.value.message


def test_executable_script_is_refused(tmp_path: Path) -> None:
    script = write(tmp_path / "inventory.py", "#!/usr/bin/env python3\nprint('{}')\n")
    script.chmod(0o755)
    with pytest.raises(InputError, match="inventory scripts are not supported"):
        load_inventory([script])


def test_no_sources_is_input_error() -> None:
    with pytest.raises(InputError, match="no inventory given"):
        load_inventory([])


def finishes(call: Callable[[], Any]) -> Any:
    """Run `call` in a thread, so a read blocked on a FIFO fails the test instead of hanging."""
    outcome: list[Any] = []

    def target() -> None:
        try:
            outcome.append(call())
        except Exception as error:
            outcome.append(error)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert outcome, "the call blocked (reading a FIFO?)"
    if isinstance(outcome[0], Exception):
        raise outcome[0]
    return outcome[0]


def test_a_fifo_in_an_inventory_folder_is_skipped_not_read(tmp_path: Path) -> None:
    write(tmp_path / "inventory/hosts.ini", "[gpu]\nws1\n")
    os.mkfifo(tmp_path / "inventory/pipe")
    os.mkfifo(tmp_path / "inventory/pipe.yml")
    inventory = finishes(lambda: load_inventory([tmp_path / "inventory"]))
    assert inventory.hosts == ["ws1"]


def test_a_fifo_among_vars_files_is_skipped_not_read(tmp_path: Path) -> None:
    write(tmp_path / "hosts.ini", "[gpu]\nws1\n")
    write(tmp_path / "group_vars/all/main.yml", "site: lab\n")
    os.mkfifo(tmp_path / "group_vars/all/pipe.yml")
    os.mkfifo(tmp_path / "group_vars/gpu")
    os.mkfifo(tmp_path / "host_vars")
    inventory = finishes(lambda: load_inventory([tmp_path / "hosts.ini"]))
    assert inventory.host_vars("ws1") == {"site": "lab"}


def test_a_fifo_given_as_the_source_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "hosts")
    with pytest.raises(InputError, match="hosts: inventory is neither a file nor a folder"):
        finishes(lambda: load_inventory([tmp_path / "hosts"]))
