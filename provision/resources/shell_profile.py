"""The managed CUDA block in each listed user's `~/.bashrc`.

The block exports `CUDA_HOME`, `PATH`, `LD_LIBRARY_PATH` and `LIBRARY_PATH` for the
active toolkit. Its lines are compared with the facts by sha256 over their exact bytes;
the edit itself (`BlockEdit`) is done by the runner on the file's current bytes with
`provision.profile_block.apply_block`, which keeps everything outside the markers and
puts a new block before the file's interactivity guard (Debian's default `.bashrc`
returns early for non-interactive shells), so `bash -lc`, ssh commands and cron see it.
"""

from __future__ import annotations

import difflib
import hashlib

from provision.check import Check
from provision.facts.model import Facts
from provision.facts.shell_profile import ShellFile, UserShell
from provision.models import CudaToolkit, HostState
from provision.plan import BlockEdit, Change
from provision.profile_block import BEGIN_MARKER, END_MARKER
from provision.template_files import render_template

PROFILE_FILE = ".bashrc"
UNSAFE_FILES = {
    "symlink": "is a symbolic link",
    "hard-linked": "has more than one hard link",
    "not-a-file": "is not a regular file",
}
"""The kinds of start-up file the fact script does not read and provision never edits: in
a folder its user controls, root would follow the user's link or write through a link."""


def block_content(toolkit: CudaToolkit) -> bytes:
    """The lines between the markers for `toolkit` active."""
    return render_template("cuda-profile.sh.j2", release=toolkit.release, cuda_home=toolkit.path)


def _diff(path: str, old: str | None, new: bytes) -> str:
    def framed(body: str) -> list[str]:
        return [
            f"{BEGIN_MARKER.decode()}\n",
            *body.splitlines(keepends=True),
            f"{END_MARKER.decode()}\n",
        ]

    return "".join(
        difflib.unified_diff(
            framed(old) if old is not None else [],
            framed(new.decode()),
            path,
            path,
        )
    )


def _user_file(user: UserShell) -> ShellFile | None:
    path = f"{(user.home or '').rstrip('/')}/{PROFILE_FILE}"
    return next((item for item in user.files if item.path == path), None)


def _change(user: UserShell, block: bytes, toolkit: CudaToolkit) -> Change | None:
    path = f"{(user.home or '').rstrip('/')}/{PROFILE_FILE}"
    found = _user_file(user)
    current = found.block if found else None
    if current is not None:
        if not current.terminated:
            return None
        if current.count == 1 and current.sha256 == hashlib.sha256(block).hexdigest():
            return None
    if found is not None and found.state == "unreadable":
        return None
    before = None if current is None else f"CUDA {current.cuda_release or 'unknown'}"
    reason = (
        f"no managed block in {path}"
        if current is None
        else f"managed block in {path} differs from CUDA {toolkit.release}'s"
    )
    return Change(
        task="shell-profile",
        resource=path,
        before=before,
        after=f"CUDA {toolkit.release}",
        reason=reason,
        actions=(
            BlockEdit(
                path=path,
                block=block,
                owner=user.user,
                mode=0o644,
                diff=_diff(path, current.content if current else None, block),
            ),
        ),
    )


def plan_shell_profile(desired: HostState, facts: Facts) -> list[Change]:
    """One change per user whose `~/.bashrc` block is missing or differs."""
    toolkit = desired.active_toolkit()
    if toolkit is None:
        return []
    block = block_content(toolkit)
    users = {user.user: user for user in facts.shell}
    changes = []
    for name in desired.shell_profile.users:
        user = users.get(name)
        if user is None or user.home is None:
            continue
        change = _change(user, block, toolkit)
        if change is not None:
            changes.append(change)
    return changes


def unsafe_profile_reason(desired: HostState, facts: Facts) -> str | None:
    """Why the host must not be touched: a listed user's `~/.bashrc`, which the managed
    block goes into, is a link or not a regular file (the user must make it one)."""
    if desired.active_toolkit() is None:
        return None
    users = {user.user: user for user in facts.shell}
    for name in desired.shell_profile.users:
        user = users.get(name)
        found = _user_file(user) if user is not None and user.home is not None else None
        if found is not None and found.state in UNSAFE_FILES:
            return (
                f"{found.path} {UNSAFE_FILES[found.state]}: provision edits a user's "
                f"{PROFILE_FILE} only when it is a regular file with one link (replace it "
                f"with one, or leave {name} out of shell_profile.users)"
            )
    return None


def shell_profile_warnings(desired: HostState, facts: Facts) -> list[str]:
    """Users that cannot get the block, broken blocks, and CUDA exports outside blocks."""
    if desired.active_toolkit() is None:
        return []
    users = {user.user: user for user in facts.shell}
    warnings = []
    for name in desired.shell_profile.users:
        user = users.get(name)
        if user is None or user.home is None:
            warnings.append(
                f"user '{name}' is not on the host (or was not looked at): no CUDA block"
            )
            continue
        for item in user.files:
            if item.state == "unreadable":
                warnings.append(f"{item.path} is unreadable: its CUDA block is not checked")
            if item.block is not None and not item.block.terminated:
                warnings.append(
                    f"{item.path} has '# BEGIN provision: cuda' without its END line: left "
                    "alone; fix it by hand"
                )
            warnings += [
                f"{item.path} line {line.number} sets CUDA outside the managed block: {line.text}"
                for line in item.unmanaged_exports
            ]
    return warnings


def checks(state: HostState) -> list[Check]:
    """A login shell of each user finds the active toolkit's nvcc and its CUDA_HOME."""
    active = state.active_toolkit()
    if active is None:
        return []
    return [
        Check(
            f"login shell of {user}",
            "login-shell",
            f"~{user}/{PROFILE_FILE}",
            f"a login shell of {user} finds {active.path}/bin/nvcc and CUDA_HOME={active.path}",
            {"user": user, "path": active.path},
        )
        for user in state.shell_profile.users
    ]
