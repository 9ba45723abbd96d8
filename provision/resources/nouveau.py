"""Blacklist nouveau (the notes' two modprobe lines) and rebuild the initramfs."""

from __future__ import annotations

import difflib

from provision.check import Check
from provision.facts.model import Facts
from provision.models import HostState
from provision.plan import Change, FileWrite
from provision.tasks.handlers import REBUILD_INITRAMFS
from provision.template_files import render_template

BLACKLIST_PATH = "/etc/modprobe.d/blacklist-nouveau.conf"


def blacklist_content() -> bytes:
    """The managed blacklist file."""
    return render_template("blacklist-nouveau.conf.j2")


def plan_nouveau(desired: HostState, facts: Facts) -> list[Change]:
    """Write the blacklist when no modprobe file blacklists nouveau and turns its modeset
    off; rebuild a stale initramfs (older than the blacklist) even when the file is there."""
    if desired.driver is None or not desired.driver.blacklist_nouveau:
        return []
    nouveau = facts.kernel.nouveau
    files = nouveau.blacklist_files
    blacklisted = any(item.blacklists for item in files)
    modeset_off = any(item.disables_modeset for item in files)
    if blacklisted and modeset_off:
        if nouveau.initramfs_fresh is False:
            return [
                Change(
                    task="nouveau",
                    resource="initramfs",
                    before="built before the nouveau blacklist",
                    after="includes the nouveau blacklist",
                    reason="the initramfs is older than the modprobe file blacklisting nouveau",
                    needs_reboot=bool(nouveau.loaded),
                    notifies=(REBUILD_INITRAMFS,),
                )
            ]
        return []
    content = blacklist_content()
    found = facts.file(BLACKLIST_PATH)
    current = found.content if found is not None and found.state == "file" else None
    existing = next((item for item in files if item.path == BLACKLIST_PATH), None)
    missing = [
        text
        for text, present in (("blacklist nouveau", blacklisted), ("modeset=0", modeset_off))
        if not present
    ]
    diff = "".join(
        difflib.unified_diff(
            (current or "").splitlines(keepends=True),
            content.decode().splitlines(keepends=True),
            "/dev/null" if existing is None and current is None else BLACKLIST_PATH,
            BLACKLIST_PATH,
        )
    )
    return [
        Change(
            task="nouveau",
            resource=BLACKLIST_PATH,
            before="absent" if existing is None else "incomplete",
            after="blacklist nouveau, options nouveau modeset=0",
            reason="no modprobe file has " + " and ".join(missing),
            needs_reboot=bool(nouveau.loaded),
            notifies=(REBUILD_INITRAMFS,),
            actions=(FileWrite(path=BLACKLIST_PATH, content=content, mode=0o644, diff=diff),),
        )
    ]


def checks(state: HostState) -> list[Check]:
    """nouveau is blacklisted (when asked) and not loaded, wherever a driver is declared."""
    if state.driver is None:
        return []
    found = []
    if state.driver.blacklist_nouveau:
        found.append(Check(
            "nouveau blacklisted", "nouveau-blacklisted", "/etc/modprobe.d",
            "a modprobe.d file blacklists nouveau and sets modeset=0",
        ))  # fmt: skip
    found.append(Check(
        "nouveau not loaded", "nouveau-not-loaded", "/proc/modules", "nouveau is not loaded",
    ))  # fmt: skip
    return found
