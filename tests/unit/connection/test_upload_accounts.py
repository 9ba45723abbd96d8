"""Reading and writing a file in a folder another account owns: done as that account, so
its links and races can reach only what it could reach itself; on this machine, as root,
with `nobody` for the other account."""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from provision.connection import LocalConnection, UploadError
from provision.connection.upload import MISSING_EXIT, read_script
from provision.trusted_paths import REFUSED_EXIT
from tests.unit.connection.ci_requirements import require_root

NOBODY = pwd.getpwnam("nobody")


@pytest.fixture
def home() -> Iterator[Path]:
    """A folder of `nobody`'s (mode 0755) in a root folder under /tmp, as a home would be."""
    require_root("to act as another account")
    top = Path(tempfile.mkdtemp(prefix="provision-home.", dir="/tmp"))
    top.chmod(0o755)
    folder = top / "nobody"
    folder.mkdir()
    os.chown(folder, NOBODY.pw_uid, NOBODY.pw_gid)
    try:
        yield folder
    finally:
        subprocess.run(["rm", "-rf", str(top)], check=True)


def read(local: LocalConnection, path: Path) -> tuple[int, bytes, str]:
    result = local.run(read_script(str(path), owner="nobody"), sudo=True, timeout=30)
    return result.exit_code, result.stdout, result.stderr.decode()


def test_a_new_file_in_the_account_s_folder_is_theirs_with_their_login_group(
    home: Path,
) -> None:
    local = LocalConnection()
    target = home / ".bashrc"
    assert read(local, target)[0] == MISSING_EXIT
    local.upload(b"export A=1\n", str(target), owner="nobody", mode=0o644)
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (
        NOBODY.pw_uid, NOBODY.pw_gid, 0o644,
    )  # fmt: skip
    assert read(local, target) == (0, b"644\nexport A=1\n", "")
    assert sorted(path.name for path in home.iterdir()) == [".bashrc"]


def test_a_link_a_fifo_or_a_second_hard_link_is_refused_by_name(home: Path) -> None:
    local = LocalConnection()
    target = home / ".bashrc"
    secret = home.parent / "root-only"
    secret.write_text("root's secret\n")
    secret.chmod(0o600)
    target.symlink_to(secret)
    os.chown(target, NOBODY.pw_uid, NOBODY.pw_gid, follow_symlinks=False)
    code, out, err = read(local, target)
    assert (code, out) == (REFUSED_EXIT, b"")
    assert f"{target} is a symbolic link" in err
    with pytest.raises(UploadError, match="is a symbolic link"):
        local.upload(b"x\n", str(target), owner="nobody", mode=0o644)
    assert target.is_symlink() and secret.read_text() == "root's secret\n"
    target.unlink()
    os.mkfifo(target)
    assert "is not a regular file" in read(local, target)[2]
    target.unlink()
    target.write_text("mine\n")
    os.link(target, home / "twin")
    assert f"{target} has 2 hard links" in read(local, target)[2]


def test_a_folder_of_another_account_or_open_to_all_is_refused(home: Path) -> None:
    local = LocalConnection()
    with pytest.raises(UploadError, match=f"{home} is owned by uid {NOBODY.pw_uid}, not by root"):
        local.upload(b"x\n", str(home / "file"), owner="root", mode=0o644)
    home.chmod(0o777)
    with pytest.raises(UploadError, match=f"{home} is writable by other users"):
        local.upload(b"x\n", str(home / "file"), owner="nobody", mode=0o644)
    assert list(home.iterdir()) == []


def test_in_a_folder_of_root_s_root_writes_and_gives_the_file_to_its_owner(home: Path) -> None:
    local = LocalConnection()
    target = home.parent / "owned"
    local.upload(b"x\n", str(target), owner="nobody", mode=0o640)
    info = target.stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (NOBODY.pw_uid, 0o640)
