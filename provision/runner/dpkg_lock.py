"""Waiting for a dpkg/apt lock another process holds (unattended-upgrades, a user's apt).

apt's own `DPkg::Lock::Timeout` covers `apt-get`, but not `dpkg`, `apt-mark` or an
installer that calls dpkg. Before a host's first change the runner waits, in one remote
command, until no process has a dpkg or apt lock file open, and fails the host past the
timeout with the holders' process ids and command lines.
"""

from __future__ import annotations

from provision.connection import Connection
from provision.errors import ProvisionError

DEFAULT_DPKG_WAIT_S = 300
_TIMED_OUT = 75
_HOLDERS = (
    "find /proc/[0-9]*/fd -maxdepth 1 \\( -lname '/var/lib/dpkg/lock*' "
    "-o -lname '/var/lib/apt/lists/lock' -o -lname '/var/cache/apt/archives/lock' \\) "
    "2>/dev/null | cut -d/ -f3 | sort -u"
)


class DpkgLockTimeout(ProvisionError):
    """A dpkg or apt lock stayed held past the wait."""


def wait_script(timeout_s: int) -> str:
    """The command that waits up to `timeout_s` for the locks to be free."""
    return (
        f"end=$(( $(date +%s) + {int(timeout_s)} )); "
        f'while pids=$({_HOLDERS}); [ -n "$pids" ]; do '
        f'if [ "$(date +%s)" -ge "$end" ]; then '
        "for pid in $pids; do printf '%s: %s\\n' \"$pid\" "
        "\"$(tr '\\0' ' ' < /proc/$pid/cmdline 2>/dev/null)\"; done; "
        f"exit {_TIMED_OUT}; fi; sleep 1; done"
    )


def wait_for_dpkg_lock(connection: Connection, timeout_s: int = DEFAULT_DPKG_WAIT_S) -> None:
    """Return once no process holds a dpkg/apt lock on the host; raise past `timeout_s`."""
    result = connection.run(wait_script(timeout_s), timeout=timeout_s + 60, sudo=True)
    if result.ok:
        return
    if result.exit_code == _TIMED_OUT:
        holders = result.stdout.decode("utf-8", "replace").strip().replace("\n", "; ")
        raise DpkgLockTimeout(
            f"host '{connection.name}': the dpkg/apt lock is still held after {timeout_s} s "
            f"by {holders}; wait for it to finish or stop it, then rerun"
        )
    raise DpkgLockTimeout(
        f"host '{connection.name}': cannot check the dpkg lock: {result.stderr_text()}"
    )
