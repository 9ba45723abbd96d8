"""Command builders the tasks share: apt, downloads with checksums, atomic moves.

Every value goes through `provision.shell`; compound lines are joined here from quoted
parts only. apt waits up to `DPKG_LOCK_TIMEOUT_S` for a dpkg lock another process holds
(`DPkg::Lock::Timeout`, apt >= 1.9.11), then fails with apt's own message naming it.
"""

from __future__ import annotations

import hashlib
import posixpath

from provision import shell
from provision.credentials import public_url, url_login
from provision.facts.provision_state import (
    DOWNLOADS_DIR,
    HOLDS_PATH,
    INSTALLER_TMP_DIR,
    NETRC_PATH,
    STATE_DIR,
)
from provision.plan import APT_TIMEOUT_S, Command
from provision.trusted_paths import root_folder

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


def apt_install(*packages: str, downgrade: bool = False) -> Command:
    """Install `packages` (`name=version` pins). A held package is never changed (apt
    refuses, as it should): provision releases its own holds first, and someone else's
    stop the plan. `downgrade` allows apt to go back to an older version, for a plan
    that says it is a downgrade."""
    return apt_get("install", *(["--allow-downgrades"] if downgrade else []), *packages)


def apt_mark(action: str, *packages: str) -> Command:
    """`apt-mark manual|auto` of `packages` (holds go through `hold` and `release_holds`)."""
    return Command(command=shell.command("apt-mark", action, *packages))


def hold(*packages: str) -> Command:
    """`apt-mark hold` of `packages`, listed in provision's holds file so that later runs
    tell provision's holds from an admin's."""
    record, new = shell.quote(HOLDS_PATH), shell.quote(f"{HOLDS_PATH}.new")
    names = " ".join(shell.quote(name) for name in packages)
    line = " && ".join(
        [
            shell.command("apt-mark", "hold", *packages),
            shell.make_private_folder(STATE_DIR),
            f"{{ cat {record} 2>/dev/null; printf '%s\\n' {names}; }}"
            f" | LC_ALL=C sort | uniq > {new}",
            f"mv -f {new} {record}",
        ]
    )
    return Command(command=line)


def release_holds(*packages: str) -> Command:
    """`apt-mark unhold` of holds provision placed, struck from its holds file."""
    record, new = shell.quote(HOLDS_PATH), shell.quote(f"{HOLDS_PATH}.new")
    patterns = " ".join(f"-e {shell.quote(name)}" for name in packages)
    line = " && ".join(
        [
            shell.command("apt-mark", "unhold", *packages),
            shell.make_private_folder(STATE_DIR),
            f"{{ grep -vxF {patterns} {record} 2>/dev/null || true; }} > {new}",
            f"mv -f {new} {record}",
        ]
    )
    return Command(command=line)


def cached_path(url: str) -> str:
    """Where a download lands on the host: `<sha256 of the URL, 12 digits>-<file name>` in
    the cache folder (PyTorch's `%2B` spelled `+`), so two sources serving the same file
    name never share a cached file."""
    url = public_url(url)
    name = url.rsplit("/", 1)[-1].replace("%2B", "+").replace("%2b", "+")
    key = hashlib.sha256(url.encode()).hexdigest()[:12]
    return posixpath.join(DOWNLOADS_DIR, f"{key}-{name}")


def _sha256_check(sha256: str, path: str) -> str:
    return (
        shell.command("printf", "%s  %s\\n", sha256, path)
        + " | "
        + shell.command("sha256sum", "--check", "--strict", "--status", "-")
    )


def curl_command(url: str, output: str) -> str:
    """`curl` fetching `url` to `output`: only over the URL's own protocol, redirected only
    to https, and with the URL's login (if any) read from root's netrc file, never from
    the command line that every user of the host can see."""
    scheme = url.partition("://")[0]
    login = ["--netrc-file", NETRC_PATH] if url_login(url) is not None else []
    return shell.command(
        "curl", "-fsSL", "--retry", "3", "--proto", f"={scheme}", "--proto-redir", "=https",
        *login, "-o", output, public_url(url),
    )  # fmt: skip


def download(url: str, sha256: str | None) -> list[Command]:
    """Fetch `url` into the cache folder unless a good copy is there, then check its sha256.

    A partial download never takes the final name: curl writes `<file>.part` and only a
    complete one is renamed, so a cached file is a whole download; with a sha256, a
    cached file that does not match it is fetched again, and a fetched one that does not
    match is removed and fails the change, so nothing after it ever runs or unpacks it.
    """
    target = cached_path(url)
    partial = target + ".part"
    fetch = " && ".join(
        [
            shell.make_private_folder(DOWNLOADS_DIR),
            curl_command(url, partial),
            shell.command("mv", "-f", partial, target),
        ]
    )
    cached = shell.command("test", "-f", target)
    if sha256 is not None:
        cached = "{ " + cached + " && " + _sha256_check(sha256, target) + "; }"
    commands = [Command(command=f"{cached} || {{ {fetch}; }}", timeout_s=3600.0)]
    if sha256 is not None:
        refusal = shell.command(
            "printf",
            "provision: %s is not the file expected (sha256 %s): removed, nothing run\\n",
            public_url(url),
            sha256,
        )
        check = _sha256_check(sha256, target)
        removal = shell.command("rm", "-f", target)
        commands.append(Command(command=f"{check} || {{ {removal}; {refusal} >&2; exit 1; }}"))
    return commands


def run_installer(installer: str, *flags: str, timeout_s: float) -> Command:
    """Run a downloaded installer (NVIDIA's runfiles) as root, with its scratch space
    (`TMPDIR`, where makeself unpacks) in a folder of root's alone rather than /tmp."""
    line = shell.command("env", f"TMPDIR={INSTALLER_TMP_DIR}", "sh", installer, *flags)
    return Command(
        command=f"{root_folder(INSTALLER_TMP_DIR)} && {line}",
        timeout_s=timeout_s,
        functions=("path-guards",),
    )


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
