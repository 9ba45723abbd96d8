"""The host variables a connection reads beyond `HostConnection`, validated without Fabric.

The connection factory reads these when it opens a connection; `validate` reads them the
same way, through `read_ssh_variables`, so a bad value fails before any host is contacted
and without importing Fabric or paramiko:

- `provision_become_password_file`: a file whose first line is the sudo password (it must
  not be readable by group or others).
- `ansible_become_password` (or `ansible_become_pass`): the sudo password itself; never
  logged or shown. Prefer the file or `PROVISION_BECOME_PASSWORD`: an inventory is often
  committed to version control.
- `provision_host_key_checking`: `strict` (default) or `accept-new`.
- `provision_proxy_jump`: jump hosts, `[user@]host[:port]`, comma-separated.
- `ansible_ssh_common_args`, `ansible_ssh_extra_args`: `-J HOSTS`, `-o ProxyJump=HOSTS`
  and `-o StrictHostKeyChecking=accept-new` are honoured; other options are ignored.
- `ansible_ssh_timeout`, `ansible_timeout`: the connect timeout in seconds (default 10).

The SSH options are read only for hosts reached over SSH, as the factory reads them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provision.connection.settings import HostConnection, JumpHost
from provision.errors import InputError
from provision.yaml_documents import is_special_file

DEFAULT_CONNECT_TIMEOUT = 10.0
_JUMP = re.compile(
    r"(?:(?P<user>[A-Za-z_][A-Za-z0-9_.-]*)@)?(?P<host>[A-Za-z0-9_.%:-]+?)(?::(?P<port>[0-9]{1,5}))?"
)
_SSH_ARGUMENTS = ("ansible_ssh_common_args", "ansible_ssh_extra_args")
_PASSWORD_VARIABLES = ("ansible_become_password", "ansible_become_pass")


@dataclass(frozen=True)
class SshVariables:
    """What the factory reads from a host's variables besides its `HostConnection`."""

    password_file: Path | None = None
    password: str | None = None
    accept_new_host_keys: bool = False
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    jumps: tuple[JumpHost, ...] = ()


def read_ssh_variables(settings: HostConnection, variables: Mapping[str, Any]) -> SshVariables:
    """Read and validate the variables of host `settings.name`; InputError names the variable."""
    host = settings.name
    password_file = _path(host, variables, "provision_become_password_file")
    password = _password(host, variables)
    if settings.connection == "local":
        return SshVariables(password_file=password_file, password=password)
    options = _ssh_options(host, variables)
    return SshVariables(
        password_file=password_file,
        password=password,
        accept_new_host_keys=options["accept_new"],
        connect_timeout=_timeout(host, variables),
        jumps=options["jumps"],
    )


def _fault(host: str, variable: str, problem: str) -> InputError:
    return InputError(f"host '{host}': {variable}: {problem}")


def _path(host: str, variables: Mapping[str, Any], name: str) -> Path | None:
    value = variables.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or "\n" in value or "\0" in value:
        raise _fault(host, name, f"must be a file path, got {value!r}")
    path = Path(value).expanduser()
    if is_special_file(path):
        raise _fault(host, name, f"{value!r} is not a regular file (a FIFO or device?)")
    return path


def _password(host: str, variables: Mapping[str, Any]) -> str | None:
    for name in _PASSWORD_VARIABLES:
        value = variables.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise _fault(host, name, "must be a non-empty string")
        if "\n" in value or "\r" in value or "\0" in value:
            raise _fault(host, name, "must be a single line")
        if "{{" in value or "{%" in value:
            raise _fault(host, name, "templated (vault) passwords are not supported")
        return value
    return None


def _timeout(host: str, variables: Mapping[str, Any]) -> float:
    for name in ("ansible_ssh_timeout", "ansible_timeout"):
        value = variables.get(name)
        if value is None:
            continue
        try:
            seconds = float(value)
        except (TypeError, ValueError, OverflowError):
            raise _fault(host, name, f"must be a number of seconds, got {value!r}") from None
        if isinstance(value, bool) or not 0 < seconds <= 3600:
            raise _fault(host, name, f"must be between 0 and 3600 seconds, got {value!r}")
        return seconds
    return DEFAULT_CONNECT_TIMEOUT


def parse_jumps(host: str, variable: str, text: str) -> tuple[JumpHost, ...]:
    """ProxyJump's `[user@]host[:port],...` as jump hosts, first hop first."""
    jumps = []
    for hop in text.split(","):
        match = _JUMP.fullmatch(hop.strip())
        if not match or (match["port"] and not 1 <= int(match["port"]) <= 65535):
            raise _fault(host, variable, f"invalid jump host {hop.strip()!r} ([user@]host[:port])")
        jumps.append(JumpHost(match["host"], int(match["port"] or 22), match["user"]))
    return tuple(jumps)


def _ssh_options(host: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {"accept_new": _host_key_checking(host, variables), "jumps": ()}
    for variable in _SSH_ARGUMENTS:
        text = variables.get(variable)
        if text is None:
            continue
        try:
            words = shlex.split(str(text))
        except ValueError as error:
            raise _fault(host, variable, f"cannot split into words: {error}") from None
        for key, value in _option_pairs(words):
            if key == "proxyjump" and value.lower() != "none":
                options["jumps"] = parse_jumps(host, variable, value)
            elif key == "stricthostkeychecking" and value.lower() == "accept-new":
                options["accept_new"] = True
    jump_variable = variables.get("provision_proxy_jump")
    if jump_variable is not None:
        options["jumps"] = parse_jumps(host, "provision_proxy_jump", str(jump_variable))
    return options


def _option_pairs(words: list[str]) -> list[tuple[str, str]]:
    """(lowercase option name, value) of the `-J X` and `-o Name=value` words."""
    pairs = []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word == "-J":
            pairs.append(("proxyjump", following))
        elif word == "-o" or word.startswith("-o"):
            option = following if word == "-o" else word[2:]
            name, _, value = option.replace(" ", "=", 1).partition("=")
            pairs.append((name.strip().lower(), value.strip()))
    return pairs


def _host_key_checking(host: str, variables: Mapping[str, Any]) -> bool:
    value = variables.get("provision_host_key_checking", "strict")
    if value not in ("strict", "accept-new"):
        raise _fault(
            host, "provision_host_key_checking", f"must be strict or accept-new, got {value!r}"
        )
    return bool(value == "accept-new")
