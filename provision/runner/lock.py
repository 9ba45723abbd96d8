"""The per-host run lock: `/var/lib/provision/lock`, so two runs never change a host at once.

A `flock` only lives as long as the process holding it, and each command of a run is a
separate exec request (and a reboot ends every process), so the lock is a file instead:
it records the run id, the control node, its process id and the start time. Taking and
releasing it are compare-and-swap steps done under a short `flock` on a guard file, so two
runs racing for a free host cannot both win. The lock survives the run's own reboots.

`apply` takes the lock inside its fact-gathering command (`settle` finishes the job: it
costs a command only when a stale lock is taken over) and releases it inside the command
that records the run, so a no-op run costs two commands per host.

A lock left by a run that died is stale, and taken over, when it names this control node
and a process that no longer runs there, or when it is older than `STALE_AFTER_S`;
otherwise the run fails that host with a message naming the holder and the file to remove.
"""

from __future__ import annotations

import json
import os
import posixpath
import socket
import time
from dataclasses import dataclass

from provision import shell
from provision.connection import Connection
from provision.errors import ProvisionError
from provision.facts.provision_state import LOCK_PATH, LockClaim

STALE_AFTER_S = 24 * 3600.0
_GUARD_WAIT_S = 30
_LOST_RACE = 75


class HostLockedError(ProvisionError):
    """Another run holds the host's lock."""


class UnsafeStateFolderError(ProvisionError):
    """provision's state folder on the host is another account's, or others can write it."""


@dataclass(frozen=True)
class LockOwner:
    """Who holds a host's lock."""

    run_id: str
    controller: str
    pid: int
    started: float

    def text(self) -> str:
        """The lock file's content (one line of JSON)."""
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def parse(cls, text: str) -> LockOwner | None:
        """The owner recorded in a lock file, or None when it is not one of ours."""
        try:
            data = json.loads(text)
            return cls(str(data["run_id"]), str(data["controller"]), int(data["pid"]),
                       float(data["started"]))  # fmt: skip
        except (ValueError, KeyError, TypeError):
            return None


def this_run(run_id: str) -> LockOwner:
    """The owner record of the current process's run."""
    return LockOwner(run_id, socket.gethostname(), os.getpid(), time.time())


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(owner: LockOwner | None, now: float) -> bool:
    """Whether a found lock belongs to a run that can no longer be running."""
    if owner is None:
        return False
    if now - owner.started > STALE_AFTER_S:
        return True
    return owner.controller == socket.gethostname() and not _process_alive(owner.pid)


def _guarded(script: str, path: str) -> str:
    """`script` run under an exclusive flock of the guard file (waiting a bounded time).

    It runs in the calling shell, locked through file descriptor 9 for the group's
    duration (no `sh -c` to start); its `exit` ends the whole command."""
    guard = shell.quote(f"{path}.guard")
    return (
        f"{shell.make_private_folder(posixpath.dirname(path))} && "
        f"{{ flock -w {_GUARD_WAIT_S} 9 && {{ {script}; }}; }} 9>>{guard}"
    )


def _swap_script(expected: str | None, new: str | None, path: str) -> str:
    """Replace the lock file's content `expected` (None: no file) by `new` (None: remove)."""
    lock = shell.quote(path)
    current = f'"$(cat {lock} 2>/dev/null)"'
    condition = (
        f"[ ! -e {lock} ]" if expected is None else f"[ {current} = {shell.quote(expected)} ]"
    )
    if new is None:
        action = f"rm -f {lock}"
    else:
        action = f"printf '%s\\n' {shell.quote(new)} > {lock}.new && mv -f {lock}.new {lock}"
    return f"if {condition}; then {action}; else cat {lock} 2>/dev/null; exit {_LOST_RACE}; fi"


def _read(connection: Connection, path: str) -> str | None:
    result = connection.run(f"cat {shell.quote(path)} 2>/dev/null || true", timeout=30, sudo=True)
    text = result.stdout.decode("utf-8", "replace").strip()
    return text or None


def acquire(connection: Connection, owner: LockOwner, path: str = LOCK_PATH) -> None:
    """Take the host's lock for `owner` (again, after a reboot, if it already holds it)."""
    _take_over(connection, owner, _read(connection, path), path)


def settle(
    connection: Connection, owner: LockOwner, claim: LockClaim | None, path: str = LOCK_PATH
) -> None:
    """Finish taking the lock that the fact script tried to take (`claim`): nothing more
    to do when it took it or this run holds it; take over a stale lock; else raise."""
    if claim is None:
        acquire(connection, owner, path)
    elif claim.result == "held":
        _take_over(connection, owner, claim.holder or "", path)
    elif claim.result == "unsafe":
        raise UnsafeStateFolderError(
            f"host '{connection.name}': {claim.holder or 'the state folder is not root-only'}: "
            "provision keeps its lock and records only in a folder of root's alone"
        )
    elif claim.result == "failed":
        raise HostLockedError(
            f"host '{connection.name}': could not take {path} (its guard stayed locked)"
        )


def _take_over(connection: Connection, owner: LockOwner, found: str | None, path: str) -> None:
    """Take the lock whose current content is `found` (None: no lock file), when it is
    free, ours or stale."""
    found_owner = LockOwner.parse(found) if found is not None else None
    if found_owner is not None and found_owner.run_id == owner.run_id:
        return
    if found is not None and not is_stale(found_owner, time.time()):
        raise HostLockedError(f"host '{connection.name}': {_held_by(found, found_owner, path)}")
    script = _guarded(_swap_script(found, owner.text(), path), path)
    result = connection.run(script, timeout=60, sudo=True)
    if not result.ok:
        holder = result.stdout.decode("utf-8", "replace").strip()
        detail = _held_by(holder, LockOwner.parse(holder), path) if holder else result.stderr_text()
        raise HostLockedError(f"host '{connection.name}': {detail}")


def release_script(owner: LockOwner, path: str = LOCK_PATH) -> str:
    """The command that removes the lock if `owner` still holds it (exit 75 otherwise)."""
    return _guarded(_swap_script(owner.text(), None, path), path)


def release(connection: Connection, owner: LockOwner, path: str = LOCK_PATH) -> None:
    """Remove the lock if `owner` still holds it (never another run's lock)."""
    connection.run(release_script(owner, path), timeout=60, sudo=True)


def _held_by(text: str, owner: LockOwner | None, path: str) -> str:
    if owner is None:
        return f"{path} exists but is not a provision lock ({text[:80]!r}); remove it"
    since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(owner.started))
    return (
        f"locked by run {owner.run_id} of {owner.controller} (pid {owner.pid}) since {since}; "
        f"if that run is dead, remove {path} on the host"
    )
