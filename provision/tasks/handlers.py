"""The handlers changes may notify: each runs once, after the changes that notify it."""

from __future__ import annotations

from provision import shell
from provision.plan import Command, Handler

REBUILD_INITRAMFS = "rebuild-initramfs"

HANDLERS: dict[str, Handler] = {
    REBUILD_INITRAMFS: Handler(
        name=REBUILD_INITRAMFS,
        commands=(Command(command=shell.command("update-initramfs", "-u"), timeout_s=900.0),),
    ),
}
