"""The active toolkit: `/usr/local/cuda` as a direct symlink to its folder.

A direct link (not the `/etc/alternatives/cuda` one NVIDIA's packages keep) so a later
toolkit package cannot move it; replaced atomically (`ln -sfn` to a temporary name, then
`mv -T`), so no reader ever sees it missing.
"""

from __future__ import annotations

from provision.facts.model import Facts
from provision.models import HostState
from provision.plan import Change
from provision.tasks.commands import replace_symlink

ACTIVE_LINK = "/usr/local/cuda"


def plan_active_cuda(desired: HostState, facts: Facts) -> list[Change]:
    """Point `/usr/local/cuda` at the active toolkit unless it already does, directly."""
    toolkit = desired.active_toolkit()
    if toolkit is None:
        return []
    current = facts.cuda.active_link
    if current == toolkit.path:
        return []
    if current is None and facts.cuda.active_path is not None:
        return []
    return [
        Change(
            task="active-cuda",
            resource=ACTIVE_LINK,
            before=current,
            after=toolkit.path,
            reason=f"{ACTIVE_LINK} points at {current or 'nothing'}, CUDA {toolkit.release} "
            "is active",
            actions=(replace_symlink(ACTIVE_LINK, toolkit.path),),
        )
    ]


def active_link_warning(desired: HostState, facts: Facts) -> str | None:
    """Why the link cannot be managed: `/usr/local/cuda` is a real folder, not a link."""
    if desired.active_toolkit() is None:
        return None
    if facts.cuda.active_link is None and facts.cuda.active_path is not None:
        return (
            f"{ACTIVE_LINK} is a folder, not a symlink: it is left alone; move it away to let "
            "provision point it at the active toolkit"
        )
    return None
