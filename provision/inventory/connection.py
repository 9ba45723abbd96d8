"""Connection settings of a host, read from its merged inventory variables.

Ansible's names are read first; our short names are accepted where the Ansible name is
absent, so an inventory written for Ansible keeps meaning the same thing:

| setting      | Ansible variable (then legacy alias)                            | short name   |
|--------------|-----------------------------------------------------------------|--------------|
| address      | `ansible_host` (`ansible_ssh_host`); default: the host's name  | `host`       |
| port         | `ansible_port` (`ansible_ssh_port`); default 22                 | `port`       |
| user         | `ansible_user` (`ansible_ssh_user`); default: none (SSH's own)  | `user`       |
| key file     | `ansible_ssh_private_key_file` (`ansible_private_key_file`)     | `key_file`   |
| become       | `ansible_become`; default false                                 | `become`     |
| connection   | `ansible_connection`: `ssh` (also `smart`, `paramiko`) or `local` | `connection` |
| known_hosts  | `provision_known_hosts` (a known_hosts file to trust, absolute) | `known_hosts` |

Every value is validated, since the connection layer hands them to SSH. Become means
root through sudo only: an `ansible_become_user` other than `root` or an
`ansible_become_method` other than `sudo` is refused rather than silently ignored.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any, Literal

from provision.connection.settings import HostConnection
from provision.control_characters import has_control_character
from provision.errors import InputError
from provision.input_limits import is_ascii_number
from provision.models.versions import USER_PATTERN
from provision.yaml_documents import is_special_file

_FIELDS: dict[str, tuple[str, ...]] = {
    "host": ("ansible_host", "ansible_ssh_host", "host"),
    "port": ("ansible_port", "ansible_ssh_port", "port"),
    "user": ("ansible_user", "ansible_ssh_user", "user"),
    "key_file": ("ansible_ssh_private_key_file", "ansible_private_key_file", "key_file"),
    "become": ("ansible_become", "become"),
    "connection": ("ansible_connection", "connection"),
    "known_hosts": ("provision_known_hosts", "known_hosts"),
}
_ADDRESS = re.compile(r"^[A-Za-z0-9_:][A-Za-z0-9._%:-]*$")
_USER = re.compile(USER_PATTERN)
_BECOME_ONLY = {"ansible_become_user": "root", "ansible_become_method": "sudo"}
_CONNECTIONS = {"ssh": "ssh", "smart": "ssh", "paramiko": "ssh", "local": "local"}
_TRUE = {"yes", "on", "1", "true", "y", "t"}
_FALSE = {"no", "off", "0", "false", "n", "f"}


def connection_settings(name: str, variables: dict[str, Any]) -> HostConnection:
    """Build and validate the `HostConnection` of host `name` from its merged variables."""
    found = {field: _first(variables, names) for field, names in _FIELDS.items()}
    for variable, supported in _BECOME_ONLY.items():
        value = variables.get(variable)
        if value is not None and value != supported:
            raise _fault(name, variable, f"{value!r} is not supported: only {supported!r} is")
    return HostConnection(
        name=name,
        host=_address(name, found["host"]),
        port=_port(name, found["port"]),
        user=_user(name, found["user"]),
        key_file=_path(name, found["key_file"]),
        become=_boolean(name, found["become"]),
        connection=_connection(name, found["connection"]),
        known_hosts=_absolute_path(name, found["known_hosts"]),
    )


def _first(variables: dict[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | None:
    for variable in names:
        if variables.get(variable) is not None:
            return variable, variables[variable]
    return None


def _fault(host: str, variable: str, problem: str) -> InputError:
    return InputError(f"host '{host}': {variable}: {problem}")


def _text(host: str, found: tuple[str, Any]) -> str:
    variable, value = found
    if not isinstance(value, str) or not value:
        raise _fault(host, variable, f"must be a non-empty string, got {value!r}")
    if "{{" in value or "{%" in value:
        raise _fault(host, variable, "templated connection settings are not supported")
    return value


def _address(host: str, found: tuple[str, Any] | None) -> str:
    if found is None:
        found = ("inventory host name", host)
    value = _text(host, found)
    if not _ADDRESS.fullmatch(value) or (":" in value and not _is_ipv6(value)):
        raise _fault(host, found[0], f"{value!r} is not a host name or IP address")
    return value


def _is_ipv6(value: str) -> bool:
    """Whether `value` is an IPv6 address (with an optional `%zone`), the only address
    with colons: `host:2222` is a port in the wrong place."""
    try:
        ipaddress.IPv6Address(value.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _port(host: str, found: tuple[str, Any] | None) -> int:
    if found is None:
        return 22
    variable, value = found
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _fault(host, variable, f"must be a port number, got {value!r}")
    if isinstance(value, str) and not is_ascii_number(value.strip()):
        raise _fault(host, variable, f"must be a port number, got {value!r}")
    if isinstance(value, str) and len(value.strip().lstrip("0")) > 5:
        raise _fault(host, variable, f"port {value.strip()} is out of range 1-65535")
    port = int(value)
    if not 1 <= port <= 65535:
        raise _fault(host, variable, f"port {port} is out of range 1-65535")
    return port


def _user(host: str, found: tuple[str, Any] | None) -> str | None:
    if found is None:
        return None
    value = _text(host, found)
    if not _USER.fullmatch(value):
        raise _fault(host, found[0], f"{value!r} is not a valid user name")
    return value


def _path(host: str, found: tuple[str, Any] | None) -> Path | None:
    if found is None:
        return None
    value = _text(host, found)
    if has_control_character(value):
        raise _fault(host, found[0], "must be a single-line path without control characters")
    path = Path(value).expanduser()
    if is_special_file(path):
        raise _fault(host, found[0], f"{value!r} is not a regular file (a FIFO or device?)")
    return path


def _absolute_path(host: str, found: tuple[str, Any] | None) -> Path | None:
    """A path that must not depend on the folder provision runs in."""
    path = _path(host, found)
    if path is not None and found is not None and not path.is_absolute():
        raise _fault(host, found[0], f"{found[1]!r} is not an absolute path (or ~/...)")
    return path


def _boolean(host: str, found: tuple[str, Any] | None) -> bool:
    if found is None:
        return False
    variable, value = found
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if isinstance(value, (int, str)) and text in _TRUE | _FALSE:
        return text in _TRUE
    raise _fault(host, variable, f"must be a boolean (true/false, yes/no), got {value!r}")


def _connection(host: str, found: tuple[str, Any] | None) -> Literal["ssh", "local"]:
    if found is None:
        return "ssh"
    value = _text(host, found)
    if value not in _CONNECTIONS:
        raise _fault(host, found[0], f"unsupported connection {value!r} (use ssh or local)")
    return "local" if _CONNECTIONS[value] == "local" else "ssh"
