"""Which connection an inventory host gets, and the SSH options read from its variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from provision.connection import PASSWORD_ENVIRONMENT_VARIABLE, LocalConnection
from provision.connection.settings import HostConnection, JumpHost
from provision.connection.ssh import SshConnection
from provision.errors import InputError
from provision.host_connections import open_connection
from provision.inventory.connection import connection_settings
from provision.inventory.ssh_variables import parse_jumps


def ssh_settings(connection: Any) -> Any:
    assert isinstance(connection, SshConnection)
    return connection._settings


def host(**fields: Any) -> HostConnection:
    return HostConnection(name="gpu1", host="10.0.0.5", **fields)


def test_a_local_host_gets_a_local_connection() -> None:
    connection = open_connection(host(connection="local"), {})
    assert isinstance(connection, LocalConnection) and connection.name == "gpu1"


def test_an_ssh_host_keeps_the_inventory_settings() -> None:
    settings = ssh_settings(
        open_connection(
            host(port=2222, user="ops", key_file=Path("/k"), become=True, known_hosts=Path("/kh")),
            {},
        )
    )
    assert (settings.host, settings.port, settings.user, settings.become) == (
        "10.0.0.5", 2222, "ops", True,
    )  # fmt: skip
    assert settings.key_file == Path("/k") and settings.known_hosts == Path("/kh")
    assert not settings.accept_new_host_keys and settings.jumps == ()
    assert settings.connect_timeout == 10.0


@pytest.mark.parametrize(
    "variables",
    [{"ansible_ssh_common_args": "-o ProxyJump=jump@bastion:2200"},
     {"ansible_ssh_common_args": "-oProxyJump=jump@bastion:2200 -o ServerAliveInterval=5"},
     {"ansible_ssh_extra_args": "-J jump@bastion:2200"},
     {"provision_proxy_jump": "jump@bastion:2200"}],
)  # fmt: skip
def test_proxy_jump_is_read_from_ansible_args_or_our_variable(variables: dict[str, str]) -> None:
    settings = ssh_settings(open_connection(host(), variables))
    assert settings.jumps == (JumpHost("bastion", 2200, "jump"),)


def test_several_jumps_keep_their_order() -> None:
    assert parse_jumps("h", "v", "a, u@b:23,c") == (
        JumpHost("a"), JumpHost("b", 23, "u"), JumpHost("c"),
    )  # fmt: skip


def test_accept_new_from_the_inventory_and_overridden_by_the_cli() -> None:
    variables = {"provision_host_key_checking": "accept-new"}
    assert ssh_settings(open_connection(host(), variables)).accept_new_host_keys
    overridden = open_connection(host(), variables, accept_new_host_keys=False)
    assert not ssh_settings(overridden).accept_new_host_keys
    from_args = {"ansible_ssh_common_args": "-o StrictHostKeyChecking=accept-new"}
    assert ssh_settings(open_connection(host(), from_args)).accept_new_host_keys
    assert ssh_settings(open_connection(host(), {}, accept_new_host_keys=True)).accept_new_host_keys


def test_connect_timeout_from_ansible_variables() -> None:
    assert ssh_settings(open_connection(host(), {"ansible_timeout": "3"})).connect_timeout == 3.0


@pytest.mark.parametrize(
    ("variables", "named"),
    [({"provision_host_key_checking": "no"}, "provision_host_key_checking"),
     ({"ansible_timeout": "soon"}, "ansible_timeout"),
     ({"ansible_timeout": -1}, "ansible_timeout"),
     ({"provision_proxy_jump": "bad host!"}, "provision_proxy_jump"),
     ({"ansible_ssh_common_args": "-o 'unclosed"}, "ansible_ssh_common_args"),
     ({"provision_become_password_file": ["a"]}, "provision_become_password_file"),
     ({"ansible_become_password": 5}, "ansible_become_password"),
     ({"ansible_become_pass": "two\nlines"}, "ansible_become_pass"),
     ({"ansible_become_password": "{{ vault_sudo }}"}, "ansible_become_password")],
)  # fmt: skip
def test_bad_connection_variables_are_input_errors_naming_host_and_variable(
    variables: dict[str, Any], named: str
) -> None:
    with pytest.raises(InputError, match=f"host 'gpu1': {named}"):
        open_connection(host(), variables)


@pytest.mark.parametrize("variable", ["ansible_become_password", "ansible_become_pass"])
@pytest.mark.parametrize("connection", ["ssh", "local"])
def test_an_inventory_become_password_is_a_password_source(
    variable: str, connection: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENVIRONMENT_VARIABLE, raising=False)
    opened = open_connection(host(connection=connection), {variable: "s3cret"})
    assert opened._passwords.password("gpu1") == "s3cret"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("variables", "named"),
    [({"ansible_become_user": "postgres"}, "ansible_become_user"),
     ({"ansible_become_method": "su"}, "ansible_become_method"),
     ({"ansible_become_method": "doas", "ansible_become_user": "root"}, "ansible_become_method")],
)  # fmt: skip
def test_become_other_than_root_through_sudo_is_refused(
    variables: dict[str, Any], named: str
) -> None:
    with pytest.raises(InputError, match=f"host 'gpu1': {named}: .* is not supported"):
        connection_settings("gpu1", {"ansible_become": True, **variables})


def test_become_root_through_sudo_spelt_out_is_accepted() -> None:
    variables = {"ansible_become_user": "root", "ansible_become_method": "sudo"}
    assert connection_settings("gpu1", {"ansible_become": True, **variables}).become
