"""Connection settings: Ansible's variables, our short names, and validation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provision.connection.settings import HostConnection
from provision.errors import InputError
from provision.inventory import load_inventory
from provision.inventory.connection import connection_settings


def connection(tmp_path: Path, line: str) -> HostConnection:
    path = tmp_path / "hosts.ini"
    path.write_text(f"[gpu]\n{line}\n")
    return load_inventory([path]).connection(line.split()[0].split(":")[0])


def test_defaults_use_the_inventory_name(tmp_path: Path) -> None:
    assert connection(tmp_path, "ws1.lab") == HostConnection(name="ws1.lab", host="ws1.lab")


def test_ansible_variables(tmp_path: Path) -> None:
    found = connection(
        tmp_path,
        "ws1 ansible_host=192.0.2.11 ansible_port=2222 ansible_user=researcher "
        "ansible_ssh_private_key_file=/keys/lab ansible_become=yes "
        "ansible_connection=ssh provision_known_hosts=/etc/lab_known_hosts",
    )
    assert found == HostConnection(
        name="ws1",
        host="192.0.2.11",
        port=2222,
        user="researcher",
        key_file=Path("/keys/lab"),
        become=True,
        connection="ssh",
        known_hosts=Path("/etc/lab_known_hosts"),
    )


def test_short_names_apply_where_ansible_names_are_absent(tmp_path: Path) -> None:
    found = connection(
        tmp_path, "ws1 host=192.0.2.12 port=2200 user=ops key_file=/k become=true ansible_user=root"
    )
    assert (found.host, found.port, found.user, found.key_file, found.become) == (
        "192.0.2.12",
        2200,
        "root",
        Path("/k"),
        True,
    )


def test_port_from_host_entry_and_local_connection(tmp_path: Path) -> None:
    found = connection(tmp_path, "ws1:2022 ansible_connection=local")
    assert (found.port, found.connection) == (2022, "local")


BAD_SETTINGS = [
    ({"ansible_port": 0}, "host 'ws1': ansible_port: port 0 is out of range 1-65535"),
    ({"ansible_port": 70000}, "host 'ws1': ansible_port: port 70000 is out of range 1-65535"),
    ({"ansible_port": "ssh"}, "host 'ws1': ansible_port: must be a port number, got 'ssh'"),
    ({"port": True}, "host 'ws1': port: must be a port number, got True"),
    (
        {"ansible_host": "-oProxyCommand=x"},
        "host 'ws1': ansible_host: '-oProxyCommand=x' is not a host name or IP address",
    ),
    ({"ansible_host": "a b"}, "host 'ws1': ansible_host: 'a b' is not a host name or IP address"),
    ({"ansible_user": "root; rm"}, "host 'ws1': ansible_user: 'root; rm' is not a valid user name"),
    ({"ansible_user": 5}, "host 'ws1': ansible_user: must be a non-empty string, got 5"),
    ({"ansible_become": "maybe"}, "host 'ws1': ansible_become: must be a boolean"),
    (
        {"ansible_connection": "winrm"},
        "host 'ws1': ansible_connection: unsupported connection 'winrm'",
    ),
    (
        {"ansible_host": "{{ lookup('env', 'X') }}"},
        "host 'ws1': ansible_host: templated connection settings are not supported",
    ),
]


@pytest.mark.parametrize(("variables", "message"), BAD_SETTINGS)
def test_bad_settings_name_host_and_variable(variables: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as raised:
        connection_settings("ws1", dict(variables))
    assert raised.value.message.startswith(message)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ansible_host": "192.0.2.1\n"}, "ansible_host: '192.0.2.1\\n' is not a host name"),
        ({"ansible_host": "ws1:22"}, "ansible_host: 'ws1:22' is not a host name"),
        ({"ansible_host": "a;b"}, "ansible_host: 'a;b' is not a host name"),
        ({"ansible_port": "²"}, "ansible_port: must be a port number, got '²'"),
        ({"ansible_port": "٢٢"}, "ansible_port: must be a port number"),
        ({"ansible_port": "9" * 5000}, "ansible_port: port 99999"),
        ({"ansible_port": 10**999}, "ansible_port: port 1000"),
        ({"provision_known_hosts": "known_hosts"}, "provision_known_hosts: 'known_hosts' is not"),
        ({"ansible_ssh_private_key_file": "/k\x1b"}, "ansible_ssh_private_key_file: must be a"),
    ],
)
def test_values_plan_would_refuse_are_refused_naming_the_variable(
    variables: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError) as raised:
        connection_settings("ws1", variables)
    assert raised.value.message.startswith(f"host 'ws1': {message}")


@pytest.mark.parametrize("address", ["::1", "fe80::1%eth0", "2001:db8::5", "ws1.lab", "10.0.0.1"])
def test_ip_v6_addresses_keep_their_colons(address: str) -> None:
    assert connection_settings("ws1", {"ansible_host": address}).host == address


def test_known_hosts_may_be_under_the_home_folder() -> None:
    found = connection_settings("ws1", {"provision_known_hosts": "~/lab_known_hosts"})
    assert found.known_hosts is not None and found.known_hosts.is_absolute()


def test_a_key_file_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "key")
    with pytest.raises(InputError, match=r"ansible_ssh_private_key_file: .* not a regular file"):
        connection_settings("ws1", {"ansible_ssh_private_key_file": str(tmp_path / "key")})
