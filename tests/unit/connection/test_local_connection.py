"""LocalConnection: stdin, env, timeouts, exit codes and atomic uploads on this machine."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from ci_requirements import require_root

from provision import shell
from provision.connection import CommandTimeout, LocalConnection, UploadError
from provision.connection import local as local_module


@pytest.fixture
def local() -> LocalConnection:
    return LocalConnection()


def test_output_is_raw_bytes_with_exit_code(local: LocalConnection) -> None:
    result = local.run("printf '\\377\\000x'; printf err >&2; exit 7")
    assert (result.exit_code, result.stdout, result.stderr) == (7, b"\xff\x00x", b"err")
    assert not result.ok and result.duration_s >= 0


def test_stdin_reaches_the_command(local: LocalConnection) -> None:
    data = os.urandom(300_000)
    assert local.run("cat", stdin=data).stdout == data


def test_large_output_and_stdin_do_not_deadlock(local: LocalConnection) -> None:
    data = b"x" * 2_000_000
    result = local.run("cat; head -c 2000000 /dev/zero >&2", stdin=data, timeout=60)
    assert result.stdout == data and len(result.stderr) == 2_000_000


def test_env_values_are_data(local: LocalConnection, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    value = f"$(touch {marker}); `touch {marker}`"
    result = local.run('printf %s "$PROVISION_VALUE"', env={"PROVISION_VALUE": value})
    assert result.stdout.decode() == value
    assert not marker.exists()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_a_timeout_stops_the_command_and_its_children(
    local: LocalConnection, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pid"
    with pytest.raises(CommandTimeout, match=r"timed out after 0\.5 s"):
        local.run(f"sleep 30 & echo $! > {shell.quote(str(pid_file))}; wait", timeout=0.5)
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(child)


def test_sudo_as_root_runs_directly(local: LocalConnection) -> None:
    require_root("to check sudo is skipped as root")
    assert local.run("id -u", sudo=True).stdout == b"0\n"


def test_upload_writes_atomically_with_mode(local: LocalConnection, tmp_path: Path) -> None:
    target = tmp_path / "dir with space" / "it's $(id).conf"
    target.parent.mkdir()
    local.upload(b"first\n", str(target), mode=0o600)
    assert target.read_bytes() == b"first\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    local.upload(b"second\n", str(target), mode=0o644)
    assert target.read_bytes() == b"second\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(path.name for path in target.parent.iterdir()) == [target.name]


def test_upload_keeps_the_owner_of_an_existing_file(local: LocalConnection, tmp_path: Path) -> None:
    require_root("to own files as another user")
    target = tmp_path / "owned"
    target.write_bytes(b"old")
    os.chown(target, 65534, 65534)
    local.upload(b"new", str(target))
    assert (target.stat().st_uid, target.stat().st_gid) == (65534, 65534)
    local.upload(b"newer", str(target), owner="root:root")
    assert (target.stat().st_uid, target.read_bytes()) == (0, b"newer")


def test_a_failed_upload_leaves_the_target_and_no_temp_file(
    local: LocalConnection, tmp_path: Path
) -> None:
    target = tmp_path / "kept"
    target.write_bytes(b"original")
    with pytest.raises(UploadError, match="kept"):
        local.upload(b"new", str(target), owner="no-such-user-provision")
    assert target.read_bytes() == b"original"
    assert [path.name for path in tmp_path.iterdir()] == ["kept"]


@pytest.mark.parametrize(
    ("path", "owner", "mode"),
    [("relative/path", None, 0o644), ("/etc/", None, 0o644), ("/tmp/x", "a;b", 0o644),
     ("/tmp/x", "$(id)", 0o644), ("/tmp/x", "Root.Admin", 0o644),
     ("/tmp/x", "root:", 0o644), ("/tmp/x", None, 0o17777), ("/tmp/a\nb", None, 0o644)],
)  # fmt: skip
def test_bad_upload_arguments_are_refused_before_running(
    local: LocalConnection, path: str, owner: str | None, mode: int
) -> None:
    with pytest.raises(UploadError):
        local.upload(b"x", path, owner=owner, mode=mode)


def test_an_upload_onto_a_folder_fails_and_leaves_no_temp_file(
    local: LocalConnection, tmp_path: Path
) -> None:
    target = tmp_path / "a-folder"
    target.mkdir()
    (target / "inside").write_bytes(b"kept")
    with pytest.raises(UploadError, match=f"cannot write {target}:.*directory"):
        local.upload(b"new", str(target))
    assert target.is_dir()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-folder"]
    assert sorted(path.name for path in target.iterdir()) == ["inside"]


def test_a_command_that_closed_its_output_is_waited_for_not_polled(
    local: LocalConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[float] = []
    original = local_module._ProcessStream.receive

    def counting_receive(stream: local_module._ProcessStream, wait: float) -> tuple[bytes, bytes]:
        calls.append(wait)
        return original(stream, wait)

    monkeypatch.setattr(local_module._ProcessStream, "receive", counting_receive)
    result = local.run("exec >/dev/null 2>&1; sleep 0.5; exit 3", timeout=10)
    print(f"receive called {len(calls)} times during a 0.5 s command with closed output")
    assert result.exit_code == 3
    assert len(calls) < 200
