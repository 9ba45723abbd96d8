"""The shell script that writes a file atomically on a host from bytes on its stdin.

One round trip: a temp file is created beside the target (same filesystem, so the
final `mv` is an atomic rename), filled from stdin, given its owner and mode, flushed
to disk (a reboot often follows these writes), then renamed over the target with
`mv -T`, which refuses a target that is a folder instead of moving the file into it; on
any failure the temp file is removed and the target is untouched. Without an explicit
owner an existing target's owner and group are kept.
"""

from __future__ import annotations

import posixpath
import re

from provision import shell
from provision.models.versions import USER_PATTERN

_OWNER = re.compile(rf"{USER_PATTERN}(:{USER_PATTERN})?")


def upload_script(path: str, *, owner: str | None, mode: int) -> str:
    """The command line that writes stdin to `path` (absolute) with `owner` and `mode`."""
    if not path.startswith("/") or path.endswith("/") or "\n" in path:
        raise ValueError(f"upload target must be an absolute file path, got {path!r}")
    if owner is not None and not _OWNER.fullmatch(owner):
        raise ValueError(f"invalid owner {owner!r} (expected user or user:group)")
    if not 0 <= mode <= 0o7777:
        raise ValueError(f"invalid file mode {mode:o}")
    target = shell.quote(path)
    template = shell.quote(posixpath.join(posixpath.dirname(path) or "/", ".provision-tmp.XXXXXX"))
    if owner is None:
        ownership = f'if [ -e {target} ]; then chown --reference={target} "$tmp"; fi'
    else:
        ownership = f'chown {shell.quote(owner)} "$tmp"'
    return (
        f"set -e; tmp=$(mktemp {template}); trap 'rm -f \"$tmp\"' EXIT; "
        f'cat > "$tmp"; {ownership}; chmod {mode:04o} "$tmp"; '
        f'sync "$tmp"; mv -fT "$tmp" {target}; trap - EXIT'
    )
