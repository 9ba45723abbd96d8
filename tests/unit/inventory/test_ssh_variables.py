"""The SSH variables a connection reads, validated the same way for `validate` and `plan`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from provision.connection.settings import HostConnection, JumpHost
from provision.errors import InputError
from provision.inventory.ssh_variables import SshVariables, read_ssh_variables

SSH = HostConnection(name="gpu1", host="10.0.0.5")
LOCAL = HostConnection(name="gpu1", host="10.0.0.5", connection="local")


def test_defaults() -> None:
    assert read_ssh_variables(SSH, {}) == SshVariables()


def test_the_options_a_connection_uses_are_read() -> None:
    found = read_ssh_variables(SSH, {
        "ansible_ssh_common_args": "-o ProxyJump=jump@bastion:2200",
        "provision_host_key_checking": "accept-new",
        "ansible_timeout": "3",
        "ansible_become_password": "s3cret",
    })  # fmt: skip
    assert found == SshVariables(
        password="s3cret",
        accept_new_host_keys=True,
        connect_timeout=3.0,
        jumps=(JumpHost("bastion", 2200, "jump"),),
    )


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"ansible_timeout": 10**900}, "ansible_timeout: must be a number of seconds"),
        ({"ansible_timeout": "nan"}, "ansible_timeout: must be between 0 and 3600"),
        ({"ansible_timeout": float("inf")}, "ansible_timeout: must be between 0 and 3600"),
        ({"provision_proxy_jump": "bastion:22\nx"}, "provision_proxy_jump: invalid jump host"),
        ({"provision_proxy_jump": "bastion:²"}, "provision_proxy_jump: invalid jump host"),
        ({"ansible_ssh_extra_args": "-J 'a b'"}, "ansible_ssh_extra_args: invalid jump host"),
    ],
)
def test_bad_values_name_host_and_variable(variables: dict[str, Any], named: str) -> None:
    with pytest.raises(InputError) as raised:
        read_ssh_variables(SSH, variables)
    assert raised.value.message.startswith(f"host 'gpu1': {named}")


def test_a_local_host_reads_no_ssh_option() -> None:
    assert read_ssh_variables(LOCAL, {"provision_host_key_checking": "bad"}) == SshVariables()


def test_a_password_file_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "password")
    variables = {"provision_become_password_file": str(tmp_path / "password")}
    with pytest.raises(InputError, match=r"provision_become_password_file: .* not a regular"):
        read_ssh_variables(LOCAL, variables)
