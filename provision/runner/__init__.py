"""Executing plans on hosts: lock, apply in order, handlers, reboots, convergence check.

`HostRun(connection, desired, RunSettings()).apply(plan)` runs one host; `fleet` runs
many in a bounded pool with a per-host lock and a last-run record on each host.
"""

from provision.runner.host_run import HostRun, NotConverged, RunSettings, plan_host
from provision.runner.record import LAST_RUN_PATH, RunIdentity

__all__ = ["LAST_RUN_PATH", "HostRun", "NotConverged", "RunIdentity", "RunSettings", "plan_host"]
