"""Driver upgrade safety: a host whose GPU is in use is not given a new driver.

Changing or purging the driver under a running CUDA process kills the job (or leaves the
module half unloaded), so a plan that touches the driver on a host where processes hold
`/dev/nvidia*` is not applied unless the user forces it; the host is reported `busy`.
"""

from __future__ import annotations

from provision.facts import Facts
from provision.plan import Plan

DRIVER_TASKS = frozenset({"driver", "driver-purge"})


def touches_driver(plan: Plan) -> bool:
    """Whether applying `plan` installs, changes or purges the NVIDIA driver."""
    return any(change.task in DRIVER_TASKS for change in plan.changes)


def busy_reason(facts: Facts, plan: Plan) -> str | None:
    """Why the host must be left alone (the processes using the GPU), or None."""
    users = facts.nvidia.device_users
    if not users or not touches_driver(plan):
        return None
    processes = ", ".join(f"{user.command} (pid {user.pid})" for user in dict.fromkeys(users))
    return (
        f"the driver would change while processes use the GPU: {processes}; "
        "stop them or pass --force"
    )
