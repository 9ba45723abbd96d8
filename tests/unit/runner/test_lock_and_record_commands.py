"""The run lock taken by the fact script and released by the record command, for real
(`sh` on this machine, in a scratch state folder): a no-op run costs two commands."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from provision import shell
from provision.connection import CommandResult, LocalConnection
from provision.facts.model import parse_facts
from provision.facts.provision_state import LockClaim
from provision.facts.script import FactsRequest, render_script
from provision.runner import lock
from provision.runner.record import record_run


class CountingConnection(LocalConnection):
    """This machine, counting the commands run on it."""

    def __init__(self) -> None:
        super().__init__(name="control", is_root=os.geteuid() == 0)
        self.commands = 0

    def run(
        self,
        command: str,
        *,
        timeout: float | None = None,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        sudo: bool = False,
    ) -> CommandResult:
        self.commands += 1
        return super().run(command, timeout=timeout, stdin=stdin, env=env, sudo=sudo)


def gather(connection: CountingConnection, owner: lock.LockOwner, state: Path) -> LockClaim:
    script = render_script(FactsRequest(lock_owner=owner.text()), state_dir=str(state))
    result = connection.run(f"sh -c {shell.quote(script.text)}")
    claim = parse_facts(result.stdout, script.key).provision.lock
    assert claim is not None
    return claim


@pytest.fixture
def connection() -> CountingConnection:
    return CountingConnection()


def test_a_no_op_run_takes_and_releases_the_lock_in_two_commands(
    connection: CountingConnection, tmp_path: Path
) -> None:
    owner = lock.this_run("run-1")
    claim = gather(connection, owner, tmp_path)
    assert claim.result == "taken"
    lock.settle(connection, owner, claim, str(tmp_path / "lock"))
    assert lock.LockOwner.parse((tmp_path / "lock").read_text()) == owner
    problem = record_run(connection, {"result": "ok"}, owner=owner, state_dir=str(tmp_path))
    assert problem is None
    assert connection.commands == 2
    assert not (tmp_path / "lock").exists()
    assert json.loads((tmp_path / "last-run.json").read_text()) == {"result": "ok"}
    assert not (tmp_path / "reboot-pending").exists()


def test_a_lock_held_by_a_live_run_fails_the_host_and_stays(
    connection: CountingConnection, tmp_path: Path
) -> None:
    holder, late = lock.this_run("run-1"), lock.this_run("run-2")
    gather(connection, holder, tmp_path)
    claim = gather(connection, late, tmp_path)
    assert claim.result == "held" and claim.holder == holder.text()
    with pytest.raises(lock.HostLockedError, match="locked by run run-1"):
        lock.settle(connection, late, claim, str(tmp_path / "lock"))
    record_run(connection, {}, owner=late, state_dir=str(tmp_path))
    assert lock.LockOwner.parse((tmp_path / "lock").read_text()) == holder


def test_a_stale_lock_is_taken_over_with_one_more_command(
    connection: CountingConnection, tmp_path: Path
) -> None:
    dead = lock.LockOwner("dead-run", lock.this_run("x").controller, 2**22 + 7, 10.0**9)
    (tmp_path / "lock").write_text(dead.text() + "\n")
    owner = lock.this_run("run-3")
    claim = gather(connection, owner, tmp_path)
    lock.settle(connection, owner, claim, str(tmp_path / "lock"))
    assert connection.commands == 2
    assert lock.LockOwner.parse((tmp_path / "lock").read_text()) == owner


def test_a_pending_reboot_is_marked_with_the_boot_it_belongs_to_and_cleared_later(
    connection: CountingConnection, tmp_path: Path
) -> None:
    reason = "nouveau is loaded;\n$(touch /tmp/pwned)"
    record_run(connection, {}, pending_reason=reason, state_dir=str(tmp_path))
    boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    marker = (tmp_path / "reboot-pending").read_text().splitlines()
    assert marker == [boot_id, "nouveau is loaded; $(touch /tmp/pwned)"]
    script = render_script(FactsRequest(), state_dir=str(tmp_path))
    facts = parse_facts(connection.run(f"sh -c {shell.quote(script.text)}").stdout, script.key)
    assert facts.provision.reboot_pending == "nouveau is loaded; $(touch /tmp/pwned)"
    record_run(connection, {}, state_dir=str(tmp_path))
    assert not (tmp_path / "reboot-pending").exists()


def test_releasing_a_lock_another_run_took_is_reported(
    connection: CountingConnection, tmp_path: Path
) -> None:
    other, mine = lock.this_run("run-9"), lock.this_run("run-10")
    gather(connection, other, tmp_path)
    problem = record_run(connection, {}, owner=mine, state_dir=str(tmp_path))
    assert problem is not None and problem.startswith("lock not released")
    assert (tmp_path / "last-run.json").exists()
