"""`Check`: one assertion a verify run makes about one resource of a host.

Declared by each resource module beside the changes it plans (pure data);
`provision.verify.host_checks` turns its `kind` and `parameters` into testinfra calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provision.facts.provision_state import STATE_DIR

SMOKE_PATH = f"{STATE_DIR}/verify"
"""Where verify puts the programs it runs as root: in provision's own folder, root's alone
(a fixed path under /tmp or /var/tmp could be made first, and owned, by any user)."""


@dataclass(frozen=True)
class Check:
    """One assertion about one resource of a host."""

    name: str
    kind: str
    resource: str
    assertion: str
    parameters: dict[str, str] = field(default_factory=dict)
    depends_on: str = ""
    """The name of an earlier check of the host; when it fails this one is skipped."""


def flag(value: bool) -> str:
    """A boolean as a check parameter."""
    return "yes" if value else "no"
