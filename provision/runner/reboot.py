"""Rebooting a host and waiting for it to come back, proven by a new boot id.

As Ansible's reboot module does: read `/proc/sys/kernel/random/boot_id`, start the reboot
detached (so the command returns before the session drops), then poll with fresh
connections until the host answers with a different boot id. A host that answers with the
old id has not gone down yet; one that does not answer is down. Past the timeout the host
is failed with that reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from provision import shell
from provision.connection import CommandTimeout, Connection, HostUnreachable
from provision.errors import ProvisionError

BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id"
DEFAULT_REBOOT_TIMEOUT_S = 600.0
POLL_INTERVAL_S = 1.0
_PROBE_TIMEOUT_S = 10.0


class RebootFailed(ProvisionError):
    """The host did not come back from a reboot in time (or could not be rebooted)."""


def read_boot_id(connection: Connection) -> str:
    """The host's current boot id."""
    result = connection.run(shell.command("cat", BOOT_ID_PATH), timeout=_PROBE_TIMEOUT_S)
    boot_id = result.stdout.decode("ascii", "replace").strip()
    if not result.ok or not boot_id:
        raise RebootFailed(f"host '{connection.name}': cannot read {BOOT_ID_PATH}")
    return boot_id


def _probe(connection: Connection) -> str | None:
    """The boot id, or None while the host does not answer."""
    try:
        return read_boot_id(connection)
    except (HostUnreachable, CommandTimeout, RebootFailed):
        connection.close()
        return None


def reboot_and_wait(
    connection: Connection,
    timeout_s: float = DEFAULT_REBOOT_TIMEOUT_S,
    *,
    poll_s: float = POLL_INTERVAL_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Reboot the host and return its new boot id once it answers again."""
    old = read_boot_id(connection)
    detached = (
        shell.command("nohup", "sh", "-c", "sleep 1; reboot") + " </dev/null >/dev/null 2>&1 &"
    )
    try:
        result = connection.run(detached, timeout=30, sudo=True)
    except HostUnreachable:
        result = None
    if result is not None and not result.ok:
        raise RebootFailed(
            f"host '{connection.name}': reboot did not start: {result.stderr_text()}"
        )
    connection.close()
    deadline = clock() + timeout_s
    while clock() < deadline:
        boot_id = _probe(connection)
        if boot_id is not None and boot_id != old:
            return boot_id
        sleep(poll_s)
    raise RebootFailed(
        f"host '{connection.name}' did not come back with a new boot id within "
        f"{timeout_s:g} s of the reboot"
    )
