"""A corpus of hostile input: every case ends as one `provision: error:` line and exit 2.

Each case is a playbook, an inventory, `-e` values or flags that once crashed a command
(exit 4 on a RecursionError or ValueError), hung it, or passed `validate` only to fail
later. The cases that could hang run the real CLI in a subprocess with a timeout, so a
regression fails the test instead of stopping the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.cli.conftest import CliResult, CliRunner

DRIVER = "{driver: {version: '535.154.05'}}"
INVENTORY = "all:\n  hosts:\n    ws1:\n      ansible_host: 192.0.2.1\n"
DEEP = "[" * 10_000 + "]" * 10_000
HUGE = "9" * 5000


def play(state: str = DRIVER, extra: str = "") -> str:
    """A one-play playbook for every host with `state` (flow YAML) and `extra` play keys."""
    return f"- hosts: all\n{extra}  state: {state}\n"


def with_host_vars(variables: str) -> str:
    """The inventory of one host `ws1` with the YAML mapping lines `variables`."""
    return "all:\n  hosts:\n    ws1:\n" + textwrap.indent(variables, "      ")


def laughs(levels: int = 6) -> str:
    """A YAML "billion laughs": each anchor lists the one before it ten times."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Case:
    """Files to write, the command line (`{tmp}` is the folder), and what the error names."""

    arguments: tuple[str, ...]
    named: str
    files: dict[str, str] = field(default_factory=dict)


def validate(playbook: str = play(), inventory: str = INVENTORY, *more: str) -> dict[str, object]:
    return {
        "files": {"play.yaml": playbook, "hosts.yaml": inventory},
        "arguments": ("validate", "{tmp}/play.yaml", "-i", "{tmp}/hosts.yaml", *more),
    }


def case(named: str, **spec: object) -> Case:
    return Case(named=named, **spec)  # type: ignore[arg-type]


CASES: dict[str, Case] = {
    # YAML nested past the depth limit, in each kind of input
    "deep playbook": case("{tmp}/play.yaml:1:101: nested more than 100", **validate(DEEP)),
    "deep block playbook": case("{tmp}/play.yaml:1:", **validate("- " * 5000 + "x\n")),
    "deep inventory": case(
        "{tmp}/hosts.yaml:3:", **validate(play(), "all:\n  vars:\n    x: " + DEEP + "\n")
    ),
    "deep -e": case("-e:1:", **validate(play(), INVENTORY, "-e", "{x: " + DEEP + "}")),
    "deep -e @file": case(
        "{tmp}/vars.yaml:1:",
        files={"play.yaml": play(), "hosts.yaml": INVENTORY, "vars.yaml": "x: " + DEEP},
        arguments=(
            "validate",
            "{tmp}/play.yaml",
            "-i",
            "{tmp}/hosts.yaml",
            "-e",
            "@{tmp}/vars.yaml",
        ),
    ),
    "deep json inventory": case(
        "{tmp}/hosts.json:1:",
        files={"hosts.json": '{"all": {"vars": {"x": ' + "[" * 900 + "]" * 900 + "}}}"},
        arguments=("inventory", "-i", "{tmp}/hosts.json", "--list"),
    ),
    "deep ini value": case(
        "{tmp}/hosts.ini:2: value",
        files={"hosts.ini": "[g]\nws1 x=" + "[" * 150 + "]" * 150 + "\n"},
        arguments=("inventory", "-i", "{tmp}/hosts.ini", "--list"),
    ),
    "deep jinja": case(
        "state.driver.version: template failed: SecurityError: a template nested",
        **validate(play("{driver: {version: '{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}'}}")),
    ),
    "long jinja sum": case(
        "state.driver.version",
        **validate(play("{driver: {version: '{{ " + "+".join(["1"] * 3000) + " }}'}}")),
    ),
    "variable chain": case(
        "variables use one another more than 32 deep",
        **validate(
            "- hosts: all\n  vars:\n"
            + "".join(f"    v{i}: '{{{{ v{i + 1} }}}}'\n" for i in range(2000))
            + "    v2000: '535.154.05'\n  state: {driver: {version: '{{ v0 }}'}}\n"
        ),
    ),
    # integers past what Python prints
    "huge int playbook": case(
        "{tmp}/play.yaml:2:13: an integer of more than 1000 digits",
        **validate(play(extra=f"  vars: {{x: {HUGE}}}\n")),
    ),
    "huge int json": case(
        "{tmp}/hosts.json:1:",
        files={"hosts.json": '{"all": {"vars": {"x": ' + HUGE + "}}}"},
        arguments=("inventory", "-i", "{tmp}/hosts.json", "--list"),
    ),
    "huge int -e": case(
        "-e:1:5: an integer", **validate(play(), INVENTORY, "-e", "{x: " + HUGE + "}")
    ),
    "huge int in a range": case(
        "{tmp}/hosts.ini:1: host range",
        files={"hosts.ini": f"gpu[1:{HUGE}]\n"},
        arguments=("inventory", "-i", "{tmp}/hosts.ini", "--list"),
    ),
    "huge int in a subscript": case(
        f"all[{HUGE[:20]}",
        files={"hosts.yaml": INVENTORY},
        arguments=("inventory", "-i", "{tmp}/hosts.yaml", "--hosts", f"all[{HUGE}]"),
    ),
    "huge int in a port": case(
        "host 'ws1:99999",
        files={"play.yaml": play(), "hosts.ini": f"ws1:{HUGE}\n"},
        arguments=("validate", "{tmp}/play.yaml", "-i", "{tmp}/hosts.ini"),
    ),
    "huge jinja product": case(
        "an integer of more than 1000 digits",
        **validate(play("{driver: {version: '{{ 10**999 * 10**999 }}'}}")),
    ),
    # Unicode digits: '²'.isdigit() is true, int('²') fails
    "unicode range end": case(
        "{tmp}/hosts.yaml:3: host range '[1:²]'",
        files={"hosts.yaml": "all:\n  hosts:\n    'gpu[1:²]':\n"},
        arguments=("inventory", "-i", "{tmp}/hosts.yaml", "--list"),
    ),
    "unicode range step": case(
        "{tmp}/hosts.ini:1: host range step '²'",
        files={"hosts.ini": "gpu[1:3:²]\n"},
        arguments=("inventory", "-i", "{tmp}/hosts.ini", "--list"),
    ),
    "unicode port": case(
        "host 'ws1': ansible_port", **validate(play(), with_host_vars("ansible_port: '²'\n"))
    ),
    "unicode subscript": case(
        "all[²]",
        files={"hosts.yaml": INVENTORY},
        arguments=("inventory", "-i", "{tmp}/hosts.yaml", "--hosts", "all[²]"),
    ),
    "infinite priority": case(
        "{tmp}/hosts.yaml:5: group 'g': ansible_group_priority",
        files={
            "hosts.yaml": "all:\n  children:\n    g:\n      vars:\n"
            "        ansible_group_priority: .inf\n      hosts:\n        a:\n"
        },
        arguments=("inventory", "-i", "{tmp}/hosts.yaml", "--list"),
    ),
    # aliases
    "alias bomb playbook": case(
        "{tmp}/play.yaml:",
        **validate(
            "- hosts: all\n  vars:\n" + textwrap.indent(laughs(), "    ") + f"  state: {DRIVER}\n"
        ),
    ),
    "alias bomb inventory": case(
        "{tmp}/hosts.yaml:",
        **validate(play(), "all:\n  vars:\n" + textwrap.indent(laughs(), "    ")),
    ),
    "alias bomb -e": case(
        "-e:1:", **validate(play(), INVENTORY, "-e", "{" + laughs().replace("\n", ", ") + "}")
    ),
    "alias cycle": case(
        "{tmp}/play.yaml:3:8: an alias refers to a node that contains it",
        **validate(f"- hosts: all\n  vars:\n    x: &a [*a]\n  state: {DRIVER}\n"),
    ),
    # what validate accepted and apply refused
    "serial with a newline": case(
        "{tmp}/play.yaml: play 1: serial: '50%\\n'", **validate(play(extra='  serial: "50%\\n"\n'))
    ),
    "serial with a space": case("serial: ' 50%'", **validate(play(extra="  serial: [' 50%']\n"))),
    # connection variables plan refuses, validate too
    "address with a command": case(
        "host 'ws1': ansible_host: '127.0.0.1; id'",
        **validate(play(), with_host_vars("ansible_host: '127.0.0.1; id'\n")),
    ),
    "address with a newline": case(
        "host 'ws1': ansible_host: '127.0.0.1\\n'",
        **validate(play(), with_host_vars('ansible_host: "127.0.0.1\\n"\n')),
    ),
    "address with a port": case(
        "host 'ws1': ansible_host", **validate(play(), with_host_vars("ansible_host: 'ws1:22'\n"))
    ),
    "port out of range": case(
        "host 'ws1': ansible_port: port 99999",
        **validate(play(), with_host_vars("ansible_port: 99999\n")),
    ),
    "user with an option": case(
        "host 'ws1': ansible_user: 'root -oProxyCommand=id'",
        **validate(play(), with_host_vars("ansible_user: 'root -oProxyCommand=id'\n")),
    ),
    "relative known_hosts": case(
        "host 'ws1': provision_known_hosts: 'known'",
        **validate(play(), with_host_vars("provision_known_hosts: known\n")),
    ),
    "bad jump host": case(
        "host 'ws1': provision_proxy_jump",
        **validate(play(), with_host_vars("provision_proxy_jump: 'bad host!'\n")),
    ),
    "huge timeout": case(
        "host 'ws1': ansible_timeout",
        **validate(play(), with_host_vars(f"ansible_timeout: {HUGE[:900]}\n")),
    ),
    # control characters
    "host name with a newline": case(
        "{tmp}/hosts.yaml:3: host name 'ws1\\nall' holds a control character",
        **validate(play(), 'all:\n  hosts:\n    "ws1\\nall":\n'),
    ),
    "host name with an escape": case(
        "host name 'ws1\\x1b' holds", **validate(play(), 'all:\n  hosts:\n    "ws1\\e":\n')
    ),
    "group name with an escape": case(
        "{tmp}/hosts.ini:1: group name 'g\\x1b1'",
        files={"hosts.ini": "[g\x1b1]\nws1\n"},
        arguments=("inventory", "-i", "{tmp}/hosts.ini", "--list"),
    ),
    "host list with a DEL": case(
        "host name 'ws1\\x7f'", arguments=("inventory", "-i", "ws1\x7f,ws2", "--list")
    ),
    "message quoting an escape": case(
        "'\\x1bx' matches no group",
        files={"hosts.yaml": INVENTORY},
        arguments=("inventory", "-i", "{tmp}/hosts.yaml", "--hosts", "\x1bx"),
    ),
    # flags
    "empty limit": case("--limit ''", **validate(play(), INVENTORY, "--limit", "")),
    "blank limit": case("--limit '  '", **validate(play(), INVENTORY, "--limit", "  ")),
    "unknown option": case("--bogus", arguments=("validate", "--bogus")),
    "missing argument": case("Missing argument 'PLAYBOOK'", arguments=("validate",)),
    "no command": case("no command given", arguments=()),
    "no such command": case("No such command", arguments=("bogus",)),
    # a repeated key
    "repeated play key": case(
        "{tmp}/play.yaml:2:3: malformed YAML: duplicate key 'hosts' (first set on line 1)",
        **validate(f"- hosts: all\n  hosts: none\n  state: {DRIVER}\n"),
    ),
    "repeated state key": case(
        "{tmp}/play.yaml:4:5: malformed YAML: duplicate key 'reboot'",
        **validate("- hosts: all\n  state:\n    reboot: never\n    reboot: auto\n"),
    ),
    "repeated -e key": case("-e:1:", **validate(play(), INVENTORY, "-e", "{a: 1, a: 2}")),
    # install folders
    "libtorch in /boot": case(
        "state.libtorch.path: '/boot/grub' is outside",
        **validate(play("{libtorch: {version: 2.5.1, variant: cpu, path: /boot/grub}}")),
    ),
    "conda in /etc/ssh": case(
        "state.conda.prefix: '/etc/ssh'", **validate(play("{conda: {prefix: /etc/ssh}}"))
    ),
    "conda in /root/.ssh": case(
        "state.conda.prefix: '/root/.ssh'", **validate(play("{conda: {prefix: /root/.ssh}}"))
    ),
    "toolkit at the active link": case(
        "state.cuda_toolkits[0].path: '/usr/local/cuda' is the link to the active CUDA toolkit",
        **validate(
            play(
                "{driver: {version: '535.154.05'}, "
                "cuda_toolkits: [{version: 11.8.0, path: /usr/local/cuda}]}"
            )
        ),
    ),
    "nested install folders": case(
        "state: conda.prefix /opt/x holds libtorch.path /opt/x/libtorch",
        **validate(
            play(
                "{conda: {prefix: /opt/x}, "
                "libtorch: {version: 2.5.1, variant: cpu, path: /opt/x/libtorch}}"
            )
        ),
    ),
}


def _format(text: str, tmp: Path) -> str:
    return text.replace("{tmp}", str(tmp))


def _write(files: dict[str, str], tmp: Path) -> None:
    for name, text in files.items():
        (tmp / name).write_text(text)


def assert_one_error_line(result: CliResult, named: str) -> None:
    """Exit 2, nothing on stdout, one stderr line `provision: error: ...` naming `named`."""
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert result.err.endswith("\n") and result.err.count("\n") == 1, result.err
    assert result.err.startswith("provision: error: ")
    assert named in result.err
    assert "internal error" not in result.err


@pytest.mark.parametrize("name", CASES)
def test_hostile_input_is_one_line_of_error_and_exit_2(
    provision_cli: CliRunner, tmp_path: Path, name: str
) -> None:
    hostile = CASES[name]
    _write(hostile.files, tmp_path)
    result = provision_cli(*(_format(argument, tmp_path) for argument in hostile.arguments))
    assert_one_error_line(result, _format(hostile.named, tmp_path))


def test_a_play_name_with_control_characters_is_shown_escaped(
    provision_cli: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "play.yaml").write_text(
        f'- name: "a\\e[2Jb\\nc"\n  hosts: all\n  state: {DRIVER}\n'
    )
    (tmp_path / "hosts.yaml").write_text(INVENTORY)
    result = provision_cli("hosts", str(tmp_path / "play.yaml"), "-i", str(tmp_path / "hosts.yaml"))
    assert result.code == 0
    first = result.out.splitlines()[0]
    assert first == "play 1 'a\\x1b[2Jb\\nc' (hosts: all): 1 host"
    assert "\x1b" not in result.out


def run_provision(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess: a hang fails the test after 30 s instead of stopping the suite."""
    return subprocess.run(
        [sys.executable, "-m", "provision", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def hang_cases(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """Inputs that once hung a command: arguments, and what the one error line names."""
    fifo = tmp / "fifo"
    os.mkfifo(fifo)
    _write({"play.yaml": play(), "hosts.yaml": INVENTORY}, tmp)
    (tmp / "loop").mkdir()
    (tmp / "loop" / "hosts.yaml").write_text(INVENTORY)
    (tmp / "loop" / "a").mkdir()
    (tmp / "loop" / "a" / "b").symlink_to("..")
    (tmp / "loop" / "a" / "c").symlink_to("..")
    for name, state in {
        "loops.yaml": "{% for i in range(9999) %}{% for j in range(9999) %}"
        "{% endfor %}{% endfor %}",
        "power.yaml": "{{ ((999**999)**999)**999 }}",
        "range.yaml": "{% for i in range(10**9) %}{% endfor %}",
        "center.yaml": "{{ 'x'|center(10**10) }}",
    }.items():
        (tmp / name).write_text(play(json.dumps({"driver": {"version": state}})))
    base = ["validate", str(tmp / "play.yaml"), "-i", str(tmp / "hosts.yaml")]
    return {
        "fifo playbook": (["validate", str(fifo), "-i", str(tmp / "hosts.yaml")], str(fifo)),
        "fifo inventory": (["validate", str(tmp / "play.yaml"), "-i", str(fifo)], str(fifo)),
        "fifo -e @": ([*base, "-e", f"@{fifo}"], f"{fifo}: not a regular file"),
        "fifo --limit @": ([*base, "--limit", f"@{fifo}"], f"--limit @{fifo}"),
        "jinja loops": (
            ["validate", str(tmp / "loops.yaml"), "-i", str(tmp / "hosts.yaml")],
            "template failed: SecurityError: the templates take more than 100000 steps",
        ),
        "jinja power": (
            ["validate", str(tmp / "power.yaml"), "-i", str(tmp / "hosts.yaml")],
            "template failed: SecurityError: an integer of more than 1000 digits",
        ),
        "jinja range": (
            ["validate", str(tmp / "range.yaml"), "-i", str(tmp / "hosts.yaml")],
            "template failed: SecurityError: a count or width larger than 1000000",
        ),
        "jinja center": (
            ["validate", str(tmp / "center.yaml"), "-i", str(tmp / "hosts.yaml")],
            "template failed: SecurityError: a count or width larger than 1000000",
        ),
    }


@pytest.mark.parametrize(
    "name",
    ["fifo playbook", "fifo inventory", "fifo -e @", "fifo --limit @", "jinja loops", "jinja power",
     "jinja range", "jinja center"],
)  # fmt: skip
def test_input_that_could_hang_ends_in_one_error_line(tmp_path: Path, name: str) -> None:
    arguments, named = hang_cases(tmp_path)[name]
    result = run_provision(arguments, tmp_path)
    assert_one_error_line(CliResult(result.returncode, result.stdout, result.stderr), named)


def test_two_symlink_loops_in_an_inventory_folder_end(tmp_path: Path) -> None:
    hang_cases(tmp_path)
    result = run_provision(["inventory", "-i", str(tmp_path / "loop"), "--hosts", "all"], tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "ws1\n", "")


def test_a_fifo_as_a_key_file_is_refused_before_anything_opens_it(tmp_path: Path) -> None:
    hang_cases(tmp_path)
    inventory = with_host_vars(f"ansible_ssh_private_key_file: {tmp_path / 'fifo'}\n")
    (tmp_path / "hosts.yaml").write_text(inventory)
    result = run_provision(
        ["plan", str(tmp_path / "play.yaml"), "-i", str(tmp_path / "hosts.yaml")], tmp_path
    )
    named = f"host 'ws1': ansible_ssh_private_key_file: '{tmp_path / 'fifo'}' is not a regular file"
    assert_one_error_line(CliResult(result.returncode, result.stdout, result.stderr), named)


def test_an_alias_bomb_neither_hangs_nor_exhausts_memory(tmp_path: Path) -> None:
    (tmp_path / "vars.yaml").write_text(laughs(levels=12))
    _write({"play.yaml": play(), "hosts.yaml": INVENTORY}, tmp_path)
    arguments = ["validate", "play.yaml", "-i", "hosts.yaml", "-e", "@vars.yaml"]
    result = run_provision(arguments, tmp_path)
    named = "aliases of this node add more than 100000 nodes"
    assert_one_error_line(CliResult(result.returncode, result.stdout, result.stderr), named)
