"""Playbooks: loading, variable precedence, per-host rendering and validation."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from provision.errors import InputError
from provision.inventory import load_inventory
from provision.playbook import load_playbook, parse_extra_vars, resolve_playbook


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def inventory_dir(tmp_path: Path) -> Path:
    """Two GPU hosts in nested groups, each level setting `driver_version`."""
    root = tmp_path / "inventory"
    write(
        root / "hosts.ini",
        """
        [gpu:children]
        bench

        [bench]
        ws01
        ws02 driver_version=550.54.15

        [cpu]
        build01
        """,
    )
    write(root / "group_vars/all.yaml", "driver_version: '535.86.05'\nsite: lab\n")
    write(root / "group_vars/gpu.yaml", "driver_version: '535.104.05'\n")
    write(root / "group_vars/bench.yaml", "driver_version: '535.154.05'\n")
    return root


def playbook(tmp_path: Path, text: str) -> Path:
    return write(tmp_path / "play.yaml", text)


DRIVER_PLAY = """
- name: drivers
  hosts: gpu
  vars:
    driver_version: "530.30.02"
    note: "{{ site }}-{{ inventory_hostname }}"
  state:
    driver:
      version: "{{ driver_version }}"
"""


def resolve(tmp_path: Path, inventory_dir: Path, text: str, **kwargs: object):  # type: ignore[no-untyped-def]
    book = load_playbook(playbook(tmp_path, text))
    return resolve_playbook(book, load_inventory([inventory_dir]), **kwargs)  # type: ignore[arg-type]


def driver_versions(plays) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {host.name: host.state.driver.version for play in plays for host in play.hosts}


def test_inventory_vars_beat_play_vars_and_deeper_groups_win(
    tmp_path: Path, inventory_dir: Path
) -> None:
    plays = resolve(tmp_path, inventory_dir, DRIVER_PLAY)
    assert driver_versions(plays) == {"ws01": "535.154.05", "ws02": "550.54.15"}


def test_play_vars_are_the_default_when_the_inventory_is_silent(
    tmp_path: Path, inventory_dir: Path
) -> None:
    for name in ("all", "gpu", "bench"):
        (inventory_dir / f"group_vars/{name}.yaml").write_text("site: lab\n")
    (inventory_dir / "hosts.ini").write_text("[gpu:children]\nbench\n[bench]\nws01\n")
    plays = resolve(tmp_path, inventory_dir, DRIVER_PLAY)
    assert driver_versions(plays) == {"ws01": "530.30.02"}


def test_extra_vars_beat_everything(tmp_path: Path, inventory_dir: Path) -> None:
    extra = parse_extra_vars(["driver_version=570.124.06"])
    plays = resolve(tmp_path, inventory_dir, DRIVER_PLAY, extra_vars=extra)
    assert driver_versions(plays) == {"ws01": "570.124.06", "ws02": "570.124.06"}


def test_magic_variables_are_set_per_host(tmp_path: Path, inventory_dir: Path) -> None:
    text = """
    - hosts: all
      state:
        shell_profile:
          users: "{{ [inventory_hostname | replace('-', '')] + group_names }}"
    """
    plays = resolve(tmp_path, inventory_dir, text)
    users = {host.name: host.state.shell_profile.users for host in plays[0].hosts}
    assert users == {
        "ws01": ("ws01", "bench", "gpu"),
        "ws02": ("ws02", "bench", "gpu"),
        "build01": ("build01", "cpu"),
    }


def test_limit_narrows_each_play(tmp_path: Path, inventory_dir: Path) -> None:
    plays = resolve(tmp_path, inventory_dir, DRIVER_PLAY, limit="ws02")
    assert [host.name for host in plays[0].hosts] == ["ws02"]


def test_a_limit_that_leaves_no_host_is_an_error(tmp_path: Path, inventory_dir: Path) -> None:
    with pytest.raises(InputError, match=r"hosts patterns and --limit 'build01' match no host$"):
        resolve(tmp_path, inventory_dir, DRIVER_PLAY, limit="build01")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty playbook, expected a list of plays"),
        ("hosts: all\n", "a playbook is a list of plays, got a mapping"),
        ("- just a string\n", "play 1: a play is a mapping, got a string"),
        ("- hosts: all\n", "play 1: state: required key is missing"),
        (
            "- hosts: all\n  state: {}\n  var: {}\n",
            "play 1: var: unknown key (did you mean 'vars'?)",
        ),
        ("- hosts: all\n  state: {}\n  serial: lots\n", "play 1: serial"),
        ("- hosts: all\n  state: {}\n  max_fail_percentage: 120\n", "play 1: max_fail_percentage"),
    ],
)
def test_a_malformed_play_is_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_playbook(playbook(tmp_path, text))
    assert message in caught.value.message
    assert caught.value.message.startswith(str(tmp_path / "play.yaml"))


def test_serial_accepts_counts_percentages_and_lists(tmp_path: Path) -> None:
    book = load_playbook(
        playbook(tmp_path, "- hosts: all\n  state: {}\n  serial: [1, '50%', '100%']\n")
    )
    assert book.plays[0].serial == [1, "50%", "100%"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a=1", {"a": "1"}),
        ("{a: [1, 2], b: x}", {"a": [1, 2], "b": "x"}),
        ('{"a": true}', {"a": True}),
    ],
)
def test_extra_vars_forms(value: str, expected: dict[str, object]) -> None:
    assert parse_extra_vars([value]) == expected


def test_extra_vars_from_a_file(tmp_path: Path) -> None:
    path = write(tmp_path / "extra.yaml", "torch_version: '2.5.1'\n")
    assert parse_extra_vars([f"@{path}"]) == {"torch_version": "2.5.1"}


@pytest.mark.parametrize("value", ["novalue", "bad key=1", "{unclosed"])
def test_bad_extra_vars_are_input_errors(value: str) -> None:
    with pytest.raises(InputError, match="-e"):
        parse_extra_vars([value])


@pytest.mark.parametrize("serial", ['"50%\\n"', '" 50%"', '"50 %"', '["50%\\t"]', '"5\uff10%"'])
def test_a_serial_step_apply_could_not_read_is_refused(tmp_path: Path, serial: str) -> None:
    path = playbook(tmp_path, f"- hosts: gpu\n  serial: {serial}\n  state: {{}}\n")
    with pytest.raises(InputError, match="is not a batch size like 5 or '25%'"):
        load_playbook(path)


def test_a_key_repeated_in_a_play_is_refused(tmp_path: Path) -> None:
    path = playbook(tmp_path, "- hosts: gpu\n  state: {}\n  hosts: cpu\n")
    with pytest.raises(InputError, match=r"play\.yaml:3:3: malformed YAML: duplicate key 'hosts'"):
        load_playbook(path)


@pytest.mark.parametrize("limit", ["", " ", "\t"])
def test_an_empty_limit_is_refused_rather_than_selecting_every_host(
    tmp_path: Path, inventory_dir: Path, limit: str
) -> None:
    with pytest.raises(InputError, match="an empty pattern"):
        resolve(tmp_path, inventory_dir, DRIVER_PLAY, limit=limit)


def test_a_targeted_hosts_connection_variables_are_checked(
    tmp_path: Path, inventory_dir: Path
) -> None:
    write(inventory_dir / "host_vars/ws02.yaml", "ansible_user: 'root -oProxyCommand=id'\n")
    with pytest.raises(InputError) as raised:
        resolve(tmp_path, inventory_dir, DRIVER_PLAY)
    assert raised.value.message == (
        "host 'ws02': ansible_user: 'root -oProxyCommand=id' is not a valid user name"
    )


def test_hosts_no_play_targets_are_not_checked(tmp_path: Path, inventory_dir: Path) -> None:
    write(inventory_dir / "host_vars/build01.yaml", "ansible_port: 99999\n")
    assert driver_versions(resolve(tmp_path, inventory_dir, DRIVER_PLAY))


def test_extra_vars_past_a_limit_are_refused() -> None:
    with pytest.raises(InputError, match=r"^-e:1:5: an integer of more than 1000 digits$"):
        parse_extra_vars(["{x: " + "9" * 5000 + "}"])
    with pytest.raises(
        InputError, match=r"^-e:2:1: malformed YAML: duplicate key 'x' \(first set on line 1\)$"
    ):
        parse_extra_vars(["{x: 1,\nx: 2}"])
