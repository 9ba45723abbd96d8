"""`provision inventory`: exit codes, one JSON document on stdout, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from provision.cli import main

CASES = Path(__file__).parents[1] / "unit" / "inventory" / "cases"
LAB = Path(__file__).parents[2] / "inventories" / "lab"


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["inventory", *arguments])
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def test_list_prints_exactly_what_ansible_inventory_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    case = CASES / "multiple_sources"
    code, out, err = run(
        capsys,
        "-i",
        str(case / "site-a/hosts.ini"),
        "-i",
        str(case / "site-b/hosts.yaml"),
        "--list",
    )
    assert (code, err) == (0, "")
    assert out == (case / "expected_list.json").read_text()


def test_list_stdout_is_one_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-i", str(LAB), "--list")
    assert code == 0
    document = json.loads(out)
    assert sorted(document["_meta"]["hostvars"]) == ["ws01", "ws02", "ws03", "ws04"]


def test_hosts_prints_one_name_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "-i", str(CASES / "ini_ranges/hosts.ini"), "--hosts", "gpu[1:2]:edge-x-1"
    )
    assert (code, err) == (0, "")
    assert out == "gpu02.lab\ngpu03.lab\nedge-x-1\n"


def test_hosts_of_an_empty_group_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "-i", str(CASES / "yaml_groups/hosts.yaml"), "--hosts", "empty_group"
    )
    assert (code, out) == (0, "")


BAD_INPUT = [
    (
        "missing file",
        ["-i", "{tmp}/nope.ini", "--list"],
        {},
        "{tmp}/nope.ini: inventory not found (no such file or folder)",
    ),
    (
        "malformed YAML",
        ["-i", "{tmp}/hosts.yaml", "--list"],
        {"hosts.yaml": "all:\n  hosts: {a: [\n"},
        "{tmp}/hosts.yaml:3:1: malformed YAML: ",
    ),
    (
        "malformed INI",
        ["-i", "{tmp}/hosts.ini", "--list"],
        {"hosts.ini": "[gpu]\nws1 novalue\n"},
        "{tmp}/hosts.ini:2: expected key=value host variable assignment, got: novalue",
    ),
    (
        "bad range",
        ["-i", "{tmp}/hosts.ini", "--list"],
        {"hosts.ini": "[gpu]\ngpu[01:xx]\n"},
        "{tmp}/hosts.ini:2: host range '[01:xx]' in 'gpu[01:xx]' must be numeric",
    ),
    (
        "backwards range",
        ["-i", "{tmp}/hosts.ini", "--list"],
        {"hosts.ini": "[gpu]\nn[3:1]\n"},
        "{tmp}/hosts.ini:2: host range '[3:1]' in 'n[3:1]' must have begin <= end",
    ),
    (
        "cycle",
        ["-i", "{tmp}/hosts.ini", "--list"],
        {"hosts.ini": "[a:children]\nb\n[b:children]\na\n"},
        "{tmp}/hosts.ini:4: adding group 'a' as a child of 'b' creates a cycle",
    ),
    (
        "wrong type",
        ["-i", "{tmp}/hosts.yaml", "--list"],
        {"hosts.yaml": "all:\n  hosts: [a, b]\n"},
        "{tmp}/hosts.yaml:2: group 'all': 'hosts' must be a mapping, got a list",
    ),
    (
        "bad vars file",
        ["-i", "{tmp}/hosts.ini", "--list"],
        {"hosts.ini": "h1\n", "group_vars/all.yml": "[1, 2]\n"},
        "{tmp}/group_vars/all.yml: a variables file must be a mapping",
    ),
    (
        "unknown group",
        ["-i", "{tmp}/hosts.ini", "--hosts", "gpu:!typo"],
        {"hosts.ini": "[gpu]\nws1\n"},
        "host pattern 'gpu:!typo': 'typo' matches no group or host in the inventory",
    ),
    (
        "unparsable regex term",
        ["-i", "{tmp}/hosts.ini", "--hosts", "~["],
        {"hosts.ini": "[lab]\nlab-01\nlab-02\n"},
        "host pattern '~[': cannot parse '[' in host pattern '~['",
    ),
    (
        "unparsable term after a glob",
        ["-i", "{tmp}/hosts.ini", "--hosts", "lab*:~["],
        {"hosts.ini": "[lab]\nlab-01\nlab-02\n"},
        "host pattern 'lab*:~[': cannot parse '[' in host pattern 'lab*:~['",
    ),
    (
        "backwards subscript",
        ["-i", "{tmp}/hosts.ini", "--hosts", "lab[5:1]"],
        {"hosts.ini": "[lab]\nlab-01\nlab-02\n"},
        "host pattern 'lab[5:1]': no hosts matched the subscripted pattern 'lab[5:1]'",
    ),
    (
        "subscript ending at 0",
        ["-i", "{tmp}/hosts.ini", "--hosts", "all[1:0]"],
        {"hosts.ini": "[lab]\nlab-01\nlab-02\n"},
        "host pattern 'all[1:0]': no hosts matched the subscripted pattern 'all[1:0]'",
    ),
    (
        "range too large",
        ["-i", "{tmp}/hosts.ini", "--list"],
        {"hosts.ini": "[lab]\nlab-01\na[1:99999999]\n"},
        "{tmp}/hosts.ini:3: host range in 'a[1:99999999]' expands to 99999999 hosts, "
        "more than the 10000",
    ),
    (
        "duplicate YAML key",
        ["-i", "{tmp}/hosts.yaml", "--list"],
        {"hosts.yaml": "all:\n  hosts:\n    a: {x: 1, x: 2}\n"},
        "{tmp}/hosts.yaml:3:15: malformed YAML: duplicate key 'x' (first set on line 3)",
    ),
    (
        "duplicate INI host variable",
        ["-i", "{tmp}/hosts.ini", "--list"],
        {"hosts.ini": "[lab]\na x=1 x=2\n"},
        "{tmp}/hosts.ini:2: host variable 'x' is set twice in 'a'",
    ),
]


@pytest.mark.parametrize(
    ("arguments", "files", "message"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    arguments: list[str],
    files: dict[str, str],
    message: str,
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    code, out, err = run(capsys, *(argument.format(tmp=tmp_path) for argument in arguments))
    assert (code, out) == (2, "")
    assert err.startswith("provision: error: " + message.format(tmp=tmp_path))
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "arguments",
    [["--list"], ["-i", "x"], ["-i", "x", "--list", "--hosts", "all"], ["-i", "x", "--bogus"]],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> None:
    code, out, err = run(capsys, *arguments)
    assert (code, out) == (2, "")
    assert "Error:" in err


def test_console_script_end_to_end() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "provision", "inventory", "-i", str(LAB), "--hosts", "office"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "ws03\nws04\n", "")


def test_list_never_prints_a_become_password(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(
        "all:\n  hosts:\n    ws1: {ansible_become_password: hunter2-x9, ansible_user: ops}\n"
    )
    code, out, err = run(capsys, "-i", str(inventory), "--list")
    assert code == 0 and "hunter2-x9" not in out + err
    assert json.loads(out)["_meta"]["hostvars"]["ws1"] == {
        "ansible_become_password": "***", "ansible_user": "ops",
    }  # fmt: skip
