"""Runs one measured command and accounts for its whole process tree (a stdlib-only script).

`python bench/process_tree.py RESULT.json < SPEC.json` makes itself a child subreaper, so that
every descendant the command leaves behind (a daemonised ssh ControlMaster, say) is
re-parented to it instead of to init. It times the command from spawn to exit, then stops
the leftovers (SIGTERM, by PID; SIGKILL after a grace period), waits for every descendant and
writes the rusage of them all: RUSAGE_CHILDREN counts exactly the waited-for descendants, and
this script's own start-up is not among them.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any

PR_SET_CHILD_SUBREAPER = 36
LEFTOVER_GRACE_S = 5.0


def become_subreaper() -> None:
    """Adopt orphaned descendants (Linux prctl), so they can be waited for."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def children_of(parent: int) -> list[int]:
    """PIDs whose parent is `parent`, read from /proc (only descendants we adopted)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def reap_leftovers() -> int:
    """Stop and wait for every adopted descendant; return how many there were."""
    leftovers = children_of(os.getpid())
    for pid in leftovers:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return len(leftovers)
        if pid == 0 and time.monotonic() > deadline:
            for late in children_of(os.getpid()):
                os.kill(late, signal.SIGKILL)
            deadline = float("inf")
        elif pid == 0:
            time.sleep(0.01)


def spawn(spec: dict[str, Any], log: int) -> int:
    """Start the command with posix_spawn (vfork-like: the child never holds a copy of this
    interpreter's memory, which would count in its peak RSS); return its PID."""
    os.chdir(spec["cwd"])
    null = os.open(os.devnull, os.O_RDONLY)
    actions = [
        (os.POSIX_SPAWN_DUP2, null, 0),
        (os.POSIX_SPAWN_DUP2, log, 1),
        (os.POSIX_SPAWN_DUP2, log, 2),
    ]
    try:
        return os.posix_spawnp(spec["argv"][0], spec["argv"], spec["env"], file_actions=actions)
    finally:
        os.close(null)


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the command `spec` describes (argv, env, cwd, log file); return its figures."""
    log = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        started = time.perf_counter()
        pid = spawn(spec, log)
        _pid, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - started
    finally:
        os.close(log)
    leftovers = reap_leftovers()
    tree = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "returncode": os.waitstatus_to_exitcode(status),
        "wall_s": wall,
        "cpu_user_s": tree.ru_utime,
        "cpu_system_s": tree.ru_stime,
        "control_cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_kb": usage.ru_maxrss,
        "leftover_processes": leftovers,
    }


def main(arguments: list[str]) -> int:
    """Read the spec from stdin, measure, write the result file `arguments[0]`."""
    spec = json.loads(sys.stdin.read())
    become_subreaper()
    try:
        figures = measure(spec)
    except OSError as error:
        figures = {"error": f"cannot run {spec['argv'][0]}: {error.strerror}"}
    Path(arguments[0]).write_text(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
