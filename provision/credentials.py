"""Credentials in source URLs (`https://user:secret@mirror/...`): kept out of every output.

An internal mirror often wants a login. provision takes it from the URL where the state
allows one (apt repositories, download bases, pip indexes; only over https), and from
then on uses the URL without it: commands, plans, reports and messages show `***` in
its place, and the host gets the login only in root's 0600 files (apt's
`/etc/apt/auth.conf.d/`, and a netrc file that curl and pip read), never in a command's
arguments, which every user of the host can see in its process list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

REDACTED = "***"
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s'\"]*)@")


@dataclass(frozen=True)
class Login:
    """The login a URL carries, for the machine (host and port) it names."""

    host: str
    port: int | None
    user: str
    password: str

    @property
    def machine(self) -> str:
        """The netrc `machine` of the login: the host, with the port when the URL had one."""
        return self.host if self.port is None else f"{self.host}:{self.port}"


def redact(text: str) -> str:
    """`text` with the user and password of every URL in it replaced by `***`."""
    if "@" not in text:
        return text
    return _USERINFO.sub(lambda match: f"{match['scheme']}{REDACTED}@", text)


def redact_data(value: Any, secret_keys: frozenset[str] = frozenset()) -> Any:
    """A JSON-like document with every string redacted (for `--json` and reports), and the
    value of every key in `secret_keys` shown as `***`."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            redact(key): REDACTED if key in secret_keys else redact_data(item, secret_keys)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_data(item, secret_keys) for item in value]
    return value


SECRET_VARIABLES = frozenset(
    {
        "ansible_become_password",
        "ansible_become_pass",
        "ansible_password",
        "ansible_ssh_pass",
        "ansible_ssh_password",
    }
)
"""Inventory variables that hold a password: shown as `***` wherever provision prints
variables (`inventory --list`)."""


def redact_variables(value: Any) -> Any:
    """A document of variables with every password variable's value replaced by `***`,
    and every URL's login redacted."""
    return redact_data(value, SECRET_VARIABLES)


def public_url(url: str) -> str:
    """`url` without its user and password (unchanged when it has none)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def url_login(url: str) -> Login | None:
    """The login `url` carries, or None."""
    parts = urlsplit(url)
    if parts.username is None:
        return None
    return Login(
        host=parts.hostname or "",
        port=parts.port,
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
    )


def netrc_text(logins: list[Login]) -> bytes:
    """A netrc file (the format of curl's `--netrc-file`, pip's `NETRC` and apt's
    auth.conf) with one line per machine, the first login of a machine winning."""
    lines: dict[str, str] = {}
    for login in logins:
        lines.setdefault(
            login.machine, f"machine {login.machine} login {login.user} password {login.password}"
        )
    return "".join(f"{line}\n" for line in lines.values()).encode()
