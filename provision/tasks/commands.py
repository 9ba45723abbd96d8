"""Command builders the tasks share: apt, downloads with checksums, atomic moves.

Every value goes through `provision.shell`; compound lines are joined here from quoted
parts only. apt waits up to `DPKG_LOCK_TIMEOUT_S` for a dpkg lock another process holds
(`DPkg::Lock::Timeout`, apt >= 1.9.11), then fails with apt's own message naming it.
"""

from __future__ import annotations

import hashlib
import posixpath

from provision import shell
from provision.plan import APT_TIMEOUT_S, Command

CACHE_DIR = "/var/cache/provision/downloads"
DPKG_LOCK_TIMEOUT_S = 300
_APT_OPTIONS = (
    "-y",
    "-q",
    "-o",
    f"DPkg::Lock::Timeout={DPKG_LOCK_TIMEOUT_S}",
    "-o",
    "Dpkg::Options::=--force-confdef",
    "-o",
    "Dpkg::Options::=--force-confold",
)


def apt_get(*arguments: str) -> Command:
    """`apt-get` non-interactively, waiting for a held dpkg lock."""
    line = shell.command(
        "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", *_APT_OPTIONS, *arguments
    )
    return Command(command=line, timeout_s=APT_TIMEOUT_S)


def apt_update() -> Command:
    """`apt-get update` that fails when any source cannot be read (apt >= 2.3 treats that
    as a warning by default and keeps the old lists): a host whose repository is out of
    reach fails here, before its old driver is purged, instead of installing from stale
    lists."""
    return apt_get("-o", "APT::Update::Error-Mode=any", "update")


def apt_install(*packages: str) -> Command:
    """Install `packages` (`name=version` pins), also when one of them is held."""
    return apt_get("install", "--allow-change-held-packages", *packages)


def apt_mark(action: str, *packages: str) -> Command:
    """`apt-mark hold|unhold|manual|auto` of `packages`."""
    return Command(command=shell.command("apt-mark", action, *packages))


def cached_path(url: str) -> str:
    """Where a download lands on the host: `<sha256 of the URL, 12 digits>-<file name>` in
    the cache folder (PyTorch's `%2B` spelled `+`), so two sources serving the same file
    name never share a cached file."""
    name = url.rsplit("/", 1)[-1].replace("%2B", "+").replace("%2b", "+")
    key = hashlib.sha256(url.encode()).hexdigest()[:12]
    return posixpath.join(CACHE_DIR, f"{key}-{name}")


def _sha256_check(sha256: str, path: str, *, quiet: bool) -> str:
    flags = ["--check", "--strict", *(["--status"] if quiet else [])]
    return (
        shell.command("printf", "%s  %s\\n", sha256, path)
        + " | "
        + shell.command("sha256sum", *flags, "-")
    )


def download(url: str, sha256: str | None) -> list[Command]:
    """Fetch `url` into the cache folder unless a good copy is there, then check its sha256.

    A partial download never takes the final name: curl writes `<file>.part` and only a
    complete one is renamed, so a cached file is a whole download; with a sha256, a
    cached file that does not match it is fetched again.
    """
    target = cached_path(url)
    partial = target + ".part"
    fetch = " && ".join(
        [
            shell.command("mkdir", "-p", CACHE_DIR),
            shell.command("curl", "-fsSL", "--retry", "3", "-o", partial, url),
            shell.command("mv", "-f", partial, target),
        ]
    )
    cached = shell.command("test", "-f", target)
    if sha256 is not None:
        cached = "{ " + cached + " && " + _sha256_check(sha256, target, quiet=True) + "; }"
    commands = [Command(command=f"{cached} || {{ {fetch}; }}", timeout_s=3600.0)]
    if sha256 is not None:
        commands.append(Command(command=_sha256_check(sha256, target, quiet=False)))
    return commands


def replace_symlink(link: str, target: str) -> Command:
    """Point `link` at `target` atomically: a new link under a temporary name, renamed
    over the old one (`mv -T` never follows the old link into a directory)."""
    temporary = f"{link}.provision-new"
    line = " && ".join(
        [
            shell.command("ln", "-sfn", target, temporary),
            shell.command("mv", "-T", "-f", temporary, link),
        ]
    )
    return Command(command=line)


def package_name(name: str) -> str:
    """A dpkg package name without its `:arch` qualifier."""
    return name.partition(":")[0]
