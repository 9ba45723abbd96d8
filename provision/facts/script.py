"""Rendering the fact script from its template, with every input quoted for the shell."""

from __future__ import annotations

import functools
import posixpath
import secrets
import threading
from dataclasses import dataclass, field

from jinja2 import Template

from provision.facts.kernel import MODPROBE_FOLDERS
from provision.facts.provision_state import (
    DOWNLOADS_DIR,
    HOLDS_PATH,
    LOCK_PATH,
    REBOOT_PENDING_PATH,
    STATE_DIR,
)
from provision.template_files import template
from provision.trusted_paths import FUNCTIONS as PATH_GUARDS

TEMPLATE = "facts.sh.j2"


@dataclass(frozen=True)
class FactsRequest:
    """What the fact script needs from the desired state.

    `users`: whose `~/.bashrc` (and `.profile`, `.bash_profile`) to inspect;
    `conda_prefix`, `libtorch_path`: where to look for conda and libtorch (None: skip);
    `files`: absolute paths of files the plan manages (blacklist, apt source, ...),
    reported with owner, mode, sha256 and (up to 64 KiB) content; `secret_files`: files
    holding secrets (logins), reported like `files` but with their sha256 only, computed
    on the host, so no secret ever leaves it in the facts; `lock_owner`: take
    the run lock for this owner record first (`apply`: the lock costs no extra command).
    """

    users: tuple[str, ...] = ()
    conda_prefix: str | None = None
    libtorch_path: str | None = None
    files: tuple[str, ...] = ()
    secret_files: tuple[str, ...] = ()
    lock_owner: str | None = None


@dataclass(frozen=True)
class RenderedScript:
    """The script and the random key its section headers carry."""

    text: str
    key: str = field(repr=False)


_compile_lock = threading.Lock()


def compiled_template() -> Template:
    """The fact script's template, read and compiled once per process (not once per host,
    nor once per worker thread when a fleet's first hosts start together)."""
    with _compile_lock:
        return _compiled_template()


@functools.cache
def _compiled_template() -> Template:
    return template(TEMPLATE)


def render_script(
    request: FactsRequest, key: str | None = None, state_dir: str = STATE_DIR
) -> RenderedScript:
    """The fact script for `request`; `key` (random by default) marks section headers, so
    no file content the script prints can pass for a header. `state_dir` holds the lock
    and the reboot-pending marker (another folder only in tests)."""
    key = key or secrets.token_hex(6)
    text = compiled_template().render(
        key=key,
        users=request.users,
        conda_prefix=request.conda_prefix,
        libtorch_path=request.libtorch_path,
        files=request.files,
        secret_files=request.secret_files,
        lock_owner=request.lock_owner,
        path_guards=PATH_GUARDS,
        modprobe_folders=MODPROBE_FOLDERS,
        downloads_dir=DOWNLOADS_DIR,
        lock_path=posixpath.join(state_dir, posixpath.basename(LOCK_PATH)),
        reboot_pending_path=posixpath.join(state_dir, posixpath.basename(REBOOT_PENDING_PATH)),
        holds_path=posixpath.join(state_dir, posixpath.basename(HOLDS_PATH)),
    )
    return RenderedScript(text=text, key=key)
