"""What earlier runs of provision left on the host: a pending reboot, the packages it
holds, and this run's lock.

`/var/lib/provision/reboot-pending` is written by a run that left the host needing a
reboot it did not do (boot id, then the reason); it counts only while that boot lasts, so
every later plan shows the reboot until the host really reboots. The `lock` section is
there only when `apply` asked the fact script to take the run lock on the way.
"""

from __future__ import annotations

from typing import Literal

from provision.facts.base import FactModel
from provision.facts.sections import Sections

STATE_DIR = "/var/lib/provision"
DOWNLOADS_DIR = "/var/cache/provision/downloads"
INSTALLER_TMP_DIR = "/var/cache/provision/tmp"
NETRC_PATH = f"{STATE_DIR}/netrc"
"""The logins of download and pip sources (0600, root's), which curl and pip read."""
"""provision's own working folders: root's alone (mode 0700), checked by the fact script
of every `apply` before anything else runs, since only root can change them after that."""
REBOOT_PENDING_PATH = f"{STATE_DIR}/reboot-pending"
HOLDS_PATH = f"{STATE_DIR}/holds"
"""The packages provision put on hold (one name a line): a hold on a managed package not
listed here is someone else's, which provision respects and never overrides."""
LOCK_PATH = f"{STATE_DIR}/lock"


class LockClaim(FactModel):
    """How taking the run lock went: `taken`, `held` (by `holder`), `failed`, or `unsafe`
    (provision's state folder is not root's alone; `holder` says why)."""

    result: Literal["taken", "held", "failed", "unsafe"]
    holder: str | None


class ProvisionStateFacts(FactModel):
    """The reboot an earlier run left pending in this boot (its reason), the packages
    provision holds, and the lock."""

    reboot_pending: str | None
    holds: tuple[str, ...]
    lock: LockClaim | None


def _pending_reason(sections: Sections, boot_id: str | None) -> str | None:
    lines = sections.text("reboot-pending").splitlines()
    if len(lines) < 2 or boot_id is None or lines[0].strip() != boot_id:
        return None
    return lines[1].strip() or "an earlier run left a reboot pending"


def _lock(sections: Sections) -> LockClaim | None:
    section = sections.first("lock")
    if section is None:
        return None
    first, _, rest = section.text.strip().partition("\n")
    result: Literal["taken", "held", "failed", "unsafe"] = (
        first if first in ("taken", "held", "unsafe") else "failed"  # type: ignore[assignment]
    )
    return LockClaim(result=result, holder=rest.strip() or None)


def parse_provision_state(sections: Sections, boot_id: str | None) -> ProvisionStateFacts:
    """The provision state facts of one run, given the host's current boot id."""
    holds = sorted({line.strip() for line in sections.text("provision-holds").splitlines()})
    return ProvisionStateFacts(
        reboot_pending=_pending_reason(sections, boot_id),
        holds=tuple(name for name in holds if name),
        lock=_lock(sections),
    )
