"""Block edits and the run lock, run for real through a local connection in a temp folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from provision.connection import LocalConnection
from provision.plan import BlockEdit
from provision.runner import lock
from provision.runner.actions import ActionFailed, edit_block

BLOCK = b"export CUDA_HOME=/usr/local/cuda-11.8\n"


@pytest.fixture
def local() -> LocalConnection:
    return LocalConnection(name="control", is_root=os.geteuid() == 0)


def test_a_block_edit_keeps_the_users_bytes_and_the_files_mode(
    local: LocalConnection, tmp_path: Path
) -> None:
    bashrc = tmp_path / ".bashrc"
    original = b"alias ll='ls -l'\r\n\xff\xfe not utf-8\r\n# BEGIN provision: cuda (not ours)\nlast"
    bashrc.write_bytes(original)
    bashrc.chmod(0o600)
    edit_block(local, BlockEdit(path=str(bashrc), block=BLOCK))
    written = bashrc.read_bytes()
    assert written.startswith(original + b"\n# BEGIN provision: cuda\n")
    assert BLOCK in written
    assert stat.S_IMODE(bashrc.stat().st_mode) == 0o600
    edit_block(local, BlockEdit(path=str(bashrc), block=BLOCK))
    assert bashrc.read_bytes() == written, "applying twice changes nothing"


def test_a_block_edit_creates_a_missing_file_with_the_planned_mode(
    local: LocalConnection, tmp_path: Path
) -> None:
    bashrc = tmp_path / "new.bashrc"
    owner = Path("/").owner()
    edit_block(local, BlockEdit(path=str(bashrc), block=BLOCK, owner=owner, mode=0o640))
    assert bashrc.read_bytes() == b"# BEGIN provision: cuda\n" + BLOCK + b"# END provision: cuda\n"
    assert stat.S_IMODE(bashrc.stat().st_mode) == 0o640


def test_an_unterminated_block_is_not_guessed_at(local: LocalConnection, tmp_path: Path) -> None:
    bashrc = tmp_path / ".bashrc"
    bashrc.write_bytes(b"# BEGIN provision: cuda\nexport A=1\n")
    with pytest.raises(ActionFailed, match="no '# END provision: cuda' follows"):
        edit_block(local, BlockEdit(path=str(bashrc), block=BLOCK))
    assert bashrc.read_bytes() == b"# BEGIN provision: cuda\nexport A=1\n"


def test_the_lock_keeps_a_second_run_out_until_released(
    local: LocalConnection, tmp_path: Path
) -> None:
    path = str(tmp_path / "state" / "lock")
    first, second = lock.this_run("run-1"), lock.this_run("run-2")
    lock.acquire(local, first, path)
    lock.acquire(local, first, path)  # the same run again, as after its own reboot
    with pytest.raises(lock.HostLockedError, match=r"locked by run run-1 of .* remove .*lock"):
        lock.acquire(local, second, path)
    lock.release(local, second, path)  # not its lock: left alone
    assert Path(path).exists()
    lock.release(local, first, path)
    assert not Path(path).exists()
    lock.acquire(local, second, path)
    assert lock.LockOwner.parse(Path(path).read_text()) == second


def test_a_lock_left_by_a_dead_process_of_this_control_node_is_taken_over(
    local: LocalConnection, tmp_path: Path
) -> None:
    path = tmp_path / "lock"
    dead = lock.LockOwner("dead-run", lock.this_run("x").controller, 2**22 + 7, 0.0 + 10**9)
    path.write_text(dead.text() + "\n")
    assert lock.is_stale(dead, now=10**9 + 60)
    lock.acquire(local, lock.this_run("run-3"), str(path))
    owner = lock.LockOwner.parse(path.read_text())
    assert owner is not None and owner.run_id == "run-3"


def test_a_foreign_file_at_the_lock_path_is_never_taken_over(
    local: LocalConnection, tmp_path: Path
) -> None:
    path = tmp_path / "lock"
    path.write_text("someone else's\n")
    with pytest.raises(lock.HostLockedError, match="not a provision lock"):
        lock.acquire(local, lock.this_run("run-4"), str(path))
    assert path.read_text() == "someone else's\n"
