"""Host addresses as Ansible reads them: a name, IPv4 or IPv6 address, an optional port.

A port of `ansible.parsing.utils.addresses.parse_address`, which both the inventory
parsers (`gpu01.lab:2222`) and host patterns (`web:db` is two patterns, `web:22` one)
rely on, so the two agree with Ansible on where a colon means "port".
"""

from __future__ import annotations

import re

_NUMERIC_RANGE = r"\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]"
_HEXADECIMAL_RANGE = r"\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]"
_ALPHANUMERIC_RANGE = r"\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]"

_IPV6_COMPONENT = rf"(?:[0-9a-f]{{1,4}}|{_HEXADECIMAL_RANGE})"
_IPV4_COMPONENT = rf"(?:[01]?[0-9]{{1,2}}|2[0-4][0-9]|25[0-5]|{_NUMERIC_RANGE})"
_LABEL = rf"(?:[\w]|{_ALPHANUMERIC_RANGE})(?:[\w_-]|{_ALPHANUMERIC_RANGE})*(?<![_-])"

_BRACKETED_HOSTPORT = re.compile(r"\[(.+)\]:([0-9]+)")
_HOSTPORT = re.compile(r"((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)")
_PORT_DIGITS = 5
_IPV4 = re.compile(rf"^(?:{_IPV4_COMPONENT}\.){{3}}{_IPV4_COMPONENT}$", re.I)
_IPV6 = re.compile(
    "^("
    + "|".join(
        [
            "(?:{0}:){{7}}{0}",
            "(?:{0}:){{1,6}}:",
            "(?:{0}:)(?::{0}){{1,6}}",
            "(?:{0}:){{2}}(?::{0}){{1,5}}",
            "(?:{0}:){{3}}(?::{0}){{1,4}}",
            "(?:{0}:){{4}}(?::{0}){{1,3}}",
            "(?:{0}:){{5}}(?::{0}){{1,2}}",
            "(?:{0}:){{6}}(?::{0})",
            ":(?::{0}){{1,6}}",
            "{0}?::",
            "(?:0:){{6}}(?:{0}\\.){{3}}{0}",
            "::(?:ffff:)?(?:{0}\\.){{3}}{0}",
            "(?:0:){{5}}ffff:(?:{0}\\.){{3}}{0}",
        ]
    ).format(_IPV6_COMPONENT)
    + ")$",
    re.I,
)
_HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$", re.I | re.UNICODE)


class AddressError(ValueError):
    """The text is not a host name or address (with an optional port)."""


def parse_address(address: str) -> tuple[str, int | None]:
    """Split `address` into (host, port); ranges such as `gpu[01:16]` are allowed.

    Raises AddressError when the text is not a valid host identifier, as Ansible does.
    """
    port: int | None = None
    for pattern in (_BRACKETED_HOSTPORT, _HOSTPORT):
        match = pattern.fullmatch(address)
        if match:
            address, port_text = match.groups()
            port = _port(port_text)
    if any(pattern.fullmatch(address) for pattern in (_IPV4, _IPV6, _HOSTNAME)):
        return address, port
    raise AddressError(f"not a valid network hostname: {address}")


def _port(text: str) -> int:
    """The port `text` names; past five digits it is out of range whatever its value, and
    reading it could fail (Python reads integers of at most 4300 digits)."""
    digits = text.lstrip("0") or "0"
    if len(digits) > _PORT_DIGITS:
        raise AddressError(f"port {text[: _PORT_DIGITS + 1]}... is out of range")
    return int(digits)
