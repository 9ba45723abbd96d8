"""The shell scripts that read and atomically write a file on a host, as the right account.

provision runs as root, but some of the files it edits live in folders other accounts
control (a user's `~/.bashrc`). Root must never follow their symbolic links or race
them on a name, so each script first checks the target's folder with
`provision.trusted_paths` (every folder above it root's alone) and then picks who does
the work:

- a folder only root can write (`/etc/apt/sources.list.d`, `/root`): root, with a temp
  file beside the target (nobody else can create or swap names there), its owner and
  mode set, flushed to disk (a reboot often follows), then renamed over the target with
  `mv -T` (which refuses a folder); without an explicit owner an existing target's owner
  and group are kept;
- a folder of the file's planned owner (a home): that user, through `setpriv` (no PAM,
  no new privileges), so whatever the user's links point at, the read and the write get
  only the user's own rights; the target must be a regular file with one link (a
  symbolic link, a FIFO or a hard link is refused, naming the file), and a new file gets
  the user's login group;
- any other folder (another user's, or one others can write): refused.

On any failure the temp file is removed and the target is untouched.
"""

from __future__ import annotations

import re

from provision import shell
from provision.models.versions import USER_PATTERN
from provision.trusted_paths import FUNCTIONS, REFUSE_FUNCTION

MISSING_EXIT = 44
_OWNER = re.compile(rf"{USER_PATTERN}(:{USER_PATTERN})?")

_CHOOSE_ACCOUNT = r"""t=$1; o=$2
d=${t%/*}; [ -n "$d" ] || d=/
u=0; g=0
if [ -n "$o" ]; then
  entry=$(getent passwd -- "${o%%:*}") || provision_refuse "no user ${o%%:*} on the host"
  IFS=: read -r _ _ u g _ <<ENTRY
$entry
ENTRY
fi
found=$(provision_chain "$d" "$u") || exit 77
case "$found" in 0\ *) strict=no ;; *) strict=yes ;; esac
as_owner() {
  if [ "$strict" = yes ]; then
    setpriv --reuid="$u" --regid="$g" --init-groups --no-new-privs -- sh -c "$1" sh "$t" "$strict"
  else
    sh -c "$1" sh "$t" "$strict"
  fi
}
"""

_CHECK_TARGET = (
    REFUSE_FUNCTION
    + r"""t=$1; strict=$2
if [ -L "$t" ]; then
  [ "$strict" = no ] || provision_refuse \
    "$t is a symbolic link: in a user's folder provision edits only regular files"
elif [ -d "$t" ]; then
  provision_refuse "$t is a directory"
elif [ -e "$t" ]; then
  [ -f "$t" ] || provision_refuse "$t is not a regular file"
  if [ "$strict" = yes ]; then
    links=$(stat -c %h -- "$t")
    [ "$links" = 1 ] || provision_refuse "$t has $links hard links: provision will not edit it"
  fi
fi
"""
)

_READ = (
    _CHECK_TARGET
    + rf"""[ -e "$t" ] || [ -L "$t" ] || exit {MISSING_EXIT}
stat -c %a -- "$t"
if [ "$strict" = yes ]; then
  dd if="$t" iflag=nofollow,nonblock bs=65536 status=none
else
  cat -- "$t"
fi
"""
)


def _write(mode: int, chown: str) -> str:
    return (
        _CHECK_TARGET
        + f"""tmp=$(mktemp -- "${{t%/*}}/.provision-tmp.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
cat > "$tmp"
if [ "$strict" = no ]; then {chown}; fi
chmod {mode:04o} "$tmp"
sync "$tmp"
mv -fT -- "$tmp" "$t"
trap - EXIT
"""
    )


def _check_arguments(path: str, owner: str | None, mode: int = 0) -> None:
    if not path.startswith("/") or path.endswith("/") or "\n" in path:
        raise ValueError(f"upload target must be an absolute file path, got {path!r}")
    if owner is not None and not _OWNER.fullmatch(owner):
        raise ValueError(f"invalid owner {owner!r} (expected user or user:group)")
    if not 0 <= mode <= 0o7777:
        raise ValueError(f"invalid file mode {mode:o}")


def _script(path: str, owner: str | None, body: str) -> str:
    """`body` run as the account `_CHOOSE_ACCOUNT` picks for `path` and `owner`."""
    return shell.command(
        "sh",
        "-c",
        FUNCTIONS + _CHOOSE_ACCOUNT + f"as_owner {shell.quote(body)}",
        "sh",
        path,
        owner or "",
    )


def upload_script(path: str, *, owner: str | None, mode: int) -> str:
    """The command line that writes stdin to `path` (absolute) with `owner` and `mode`.

    In a folder of the file's owner, the owner writes it (and owns it, with their login
    group); in a folder of root's, root writes it and sets `owner`, or keeps an existing
    file's owner when `owner` is None."""
    _check_arguments(path, owner, mode)
    if owner is None:
        chown = 'if [ -e "$t" ]; then chown --reference="$t" -- "$tmp"; fi'
    else:
        chown = f'chown -- {shell.quote(owner)} "$tmp"'
    return _script(path, owner, _write(mode, chown))


def read_script(path: str, *, owner: str | None) -> str:
    """The command line that prints `path`'s mode (octal, one line) and then its bytes,
    read as the account that would write it (see `upload_script`); it exits
    `MISSING_EXIT` when there is no such file."""
    _check_arguments(path, owner)
    return _script(path, owner, _READ)
