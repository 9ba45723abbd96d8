"""Playbooks: plays that map an inventory pattern to a desired host state.

A playbook is a YAML list of plays. Each play names its hosts with an inventory
pattern and gives the desired `state:`, a template rendered per host with Jinja2
(undefined variables are errors) from, lowest precedence first:

1. the play's `vars:` (the playbook's defaults),
2. the inventory's variables for the host (group vars by Ansible's precedence, then host vars),
3. extra variables given on the command line (`-e`).

Play vars are the lowest so that one playbook serves several sites: an inventory's
`group_vars` specialise it (a mirror, a pinned build) without editing the playbook.
The magic variables `inventory_hostname` and `group_names` are set for each host.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from provision.artifacts import check_downloads
from provision.compat import Finding, check_compatibility
from provision.errors import InputError
from provision.inventory import Inventory
from provision.models import HostState, parse_host_state
from provision.models.errors import format_validation_error
from provision.templating import TemplateError, VariableResolver
from provision.yaml_documents import load_yaml_file, parse_yaml_text, read_text

_SERIAL_PERCENT = re.compile(r"(100|[1-9][0-9]?)%")

SerialStep = Annotated[int, Field(ge=1)] | str


class Play(BaseModel):
    """One play as written in the playbook; `state` is still an unrendered template."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, description="A name for reports; defaults to the hosts pattern.")
    hosts: str = Field(..., min_length=1, description="Inventory host pattern, as in Ansible.")
    vars: dict[str, Any] = Field(default_factory=dict, description="Defaults for the templates.")
    state: dict[str, Any] = Field(..., description="The desired host state (see HostState).")
    serial: SerialStep | list[SerialStep] | None = Field(
        None, description="Rolling batches: a count, a percentage ('25%') or a list of them."
    )
    max_fail_percentage: float | None = Field(
        None, ge=0, le=100, description="Stop before the next batch past this failure rate."
    )

    @field_validator("serial")
    @classmethod
    def _check_serial(cls, value: SerialStep | list[SerialStep] | None) -> Any:
        steps = value if isinstance(value, list) else [value]
        for step in steps:
            if isinstance(step, str) and not _SERIAL_PERCENT.fullmatch(step):
                raise ValueError(f"{step!r} is not a batch size like 5 or '25%'")
        return value

    def title(self) -> str:
        """The play's name for messages and reports."""
        return self.name or self.hosts


@dataclass(frozen=True)
class Playbook:
    """A loaded playbook: its file and its plays, in order."""

    path: Path
    plays: tuple[Play, ...]


@dataclass(frozen=True)
class HostTarget:
    """A host a play targets, with its rendered desired state and compatibility warnings."""

    name: str
    state: HostState
    warnings: tuple[Finding, ...]


@dataclass(frozen=True)
class PlayTargets:
    """A play with every host it targets after `--limit`."""

    play: Play
    number: int
    hosts: tuple[HostTarget, ...]


def load_playbook(path: Path) -> Playbook:
    """Load and check the structure of a playbook (states are checked per host later)."""
    document = load_yaml_file(path)
    if document is None:
        raise InputError(f"{path}: empty playbook, expected a list of plays")
    if not isinstance(document, list):
        raise InputError(f"{path}: a playbook is a list of plays, got {_kind(document)}")
    plays = []
    for number, raw_play in enumerate(document, start=1):
        where = f"{path}: play {number}"
        if not isinstance(raw_play, Mapping):
            raise InputError(f"{where}: a play is a mapping, got {_kind(raw_play)}")
        try:
            plays.append(Play.model_validate(raw_play))
        except ValidationError as error:
            raise InputError(format_validation_error(error, where, Play)) from None
    return Playbook(path=path, plays=tuple(plays))


def resolve_playbook(
    playbook: Playbook,
    inventory: Inventory,
    limit: str | None = None,
    extra_vars: Mapping[str, Any] | None = None,
) -> list[PlayTargets]:
    """Render and validate the desired state of every host each play targets.

    Raises InputError for an unknown host pattern, a template or state error, an
    incompatible version combination, a limit that leaves no host at all, or a targeted
    host whose connection variables `plan` would refuse.
    """
    limited = set(inventory.select(limit_pattern(limit))) if limit is not None else None
    resolved = []
    for number, play in enumerate(playbook.plays, start=1):
        where = f"{playbook.path}: play {number} '{play.title()}'"
        try:
            names = inventory.select(play.hosts)
        except InputError as error:
            raise InputError(f"{where}: {error.message}") from None
        if limited is not None:
            names = [name for name in names if name in limited]
        hosts = tuple(
            render_host_state(play, inventory, name, f"{where}, host {name}", extra_vars or {})
            for name in names
        )
        resolved.append(PlayTargets(play=play, number=number, hosts=hosts))
    if not any(targets.hosts for targets in resolved):
        reason = f" and --limit '{limit}'" if limit else ""
        raise InputError(f"{playbook.path}: the plays' hosts patterns{reason} match no host")
    for name in dict.fromkeys(host.name for targets in resolved for host in targets.hosts):
        inventory.check_connection(name)
    return resolved


def limit_pattern(limit: str) -> str:
    """The host pattern of `--limit`: as given, or for `@FILE` (a retry file a failed run
    wrote) the host names the file lists, one per line. An empty pattern is an error: it
    would otherwise read as no limit at all, and select every host."""
    if not limit.strip():
        raise InputError(f"--limit {limit!r}: an empty pattern; name hosts or groups, or drop it")
    if not limit.startswith("@"):
        return limit
    path = Path(limit[1:])
    if not os.path.exists(path):
        raise InputError(f"--limit @{path}: file {path} does not exist")
    try:
        text = read_text(path)
    except InputError as error:
        raise InputError(f"--limit @{path}: {error.message}") from None
    names = [line.strip() for line in text.splitlines() if line.strip()]
    if not names:
        raise InputError(f"--limit @{path}: {path} lists no host")
    return ",".join(names)


def render_host_state(
    play: Play,
    inventory: Inventory,
    host: str,
    where: str,
    extra_vars: Mapping[str, Any],
) -> HostTarget:
    """Render one play's state for one host, validate it and check compatibility."""
    variables: dict[str, Any] = {
        **play.vars,
        **inventory.host_vars(host),
        **extra_vars,
        "inventory_hostname": host,
        "group_names": inventory.group_names(host),
    }
    try:
        rendered = VariableResolver(variables).render(play.state, "state")
    except TemplateError as error:
        raise InputError(f"{where}: {error}") from None
    state = parse_host_state(rendered, where)
    findings = sorted(
        [*check_compatibility(state), *check_downloads(state)],
        key=lambda finding: finding.level != "error",
    )
    errors = [finding for finding in findings if finding.level == "error"]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(f"{where}: {state_fields(first)}: {first.message}{more}")
    return HostTarget(
        name=host,
        state=state,
        warnings=tuple(finding for finding in findings if finding.level == "warning"),
    )


def state_fields(finding: Finding) -> str:
    """The fields a finding names, as paths in the playbook (`state.driver.version`)."""
    return ", ".join(f"state.{field}" for field in finding.fields)


def parse_extra_vars(values: Sequence[str]) -> dict[str, Any]:
    """Parse `-e` values: `key=value`, a YAML/JSON mapping, or `@file.yaml`."""
    merged: dict[str, Any] = {}
    for value in values:
        merged.update(_parse_extra_var(value))
    return merged


def _parse_extra_var(value: str) -> dict[str, Any]:
    if value.startswith("@"):
        data = load_yaml_file(Path(value[1:]))
        if not isinstance(data, Mapping):
            raise InputError(f"{value[1:]}: extra vars file must hold a mapping")
        return dict(data)
    if value.lstrip().startswith("{"):
        data = parse_yaml_text(value, "-e")
        if not isinstance(data, Mapping):
            raise InputError(f"-e {value!r}: expected a mapping")
        return dict(data)
    key, separator, text = value.partition("=")
    if not separator or not key.isidentifier():
        raise InputError(f"-e {value!r}: expected key=value, a YAML mapping, or @file")
    return {key: text}


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return type(value).__name__


class _PlaySchema(Play):
    """A play as editors should see it: `state` described by HostState."""

    state: HostState  # type: ignore[assignment]


def playbook_json_schema() -> dict[str, Any]:
    """The JSON Schema of a playbook file, for editors to complete and check playbooks."""
    schema = TypeAdapter(list[_PlaySchema]).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "provision playbook"
    schema["description"] = (
        "A list of plays; each maps an inventory pattern to the desired state of its hosts. "
        "String values may be Jinja2 templates rendered per host before validation."
    )
    return schema
