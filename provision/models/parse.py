"""Turn a rendered `state:` mapping into a `HostState`, or one clear line of error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from provision.errors import InputError
from provision.models.errors import format_validation_error, kind_of
from provision.models.state import HostState


def parse_host_state(data: Mapping[str, Any], where: str) -> HostState:
    """Validate a host's desired state; raise `InputError` naming `where` and the field.

    `where` says whose state it is, e.g. `playbooks/w.yaml: play 1 'workstation', host lab-01`;
    the message reads `<where>: state.<field.path>: <what is wrong>`.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: state: expected a mapping, got {kind_of(data)}")
    try:
        return HostState.model_validate(dict(data))
    except ValidationError as error:
        raise InputError(format_validation_error(error, where, HostState, prefix="state")) from None
