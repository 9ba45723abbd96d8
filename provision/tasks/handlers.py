"""The handlers changes may notify: each runs once, after the changes that notify it.

The initramfs is rebuilt for every installed kernel (`-k all`): plain `-u` rebuilds only
the newest one, while the facts check the running kernel's image, which would then stay
stale and the plan would never converge.
"""

from __future__ import annotations

from provision import shell
from provision.plan import Command, Handler

REBUILD_INITRAMFS = "rebuild-initramfs"

HANDLERS: dict[str, Handler] = {
    REBUILD_INITRAMFS: Handler(
        name=REBUILD_INITRAMFS,
        commands=(
            Command(command=shell.command("update-initramfs", "-u", "-k", "all"), timeout_s=900.0),
        ),
    ),
}
