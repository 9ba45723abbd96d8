"""The apt repository the NVIDIA packages come from, ensured before packages need it.

Either NVIDIA's CUDA repository for the host's distribution (at NVIDIA's address or a
mirror's `nvidia_apt_base`), signed by NVIDIA's key, which `provision.tasks.nvidia_keyring`
installs after checking its fingerprint, in a managed list file naming that keyring; or
the single source line of `sources.apt_repository` (a mirror) in a managed list file. A
host where NVIDIA's own `cuda-keyring` package is installed keeps that package's list
(a second list with the same source would conflict with it). The list file is rewritten
when its facts show it differs; when it is missing or the facts did not read it, it is
written only when apt installs something. `apt-get update` runs before any install. A login in the
repository's URL never reaches the list file: apt reads it from
`provision.resources.source_logins`'s auth.conf file.
"""

from __future__ import annotations

import difflib

from provision.credentials import public_url, redact
from provision.facts.model import Facts
from provision.models import HostState
from provision.models.sources import NVIDIA_APT_BASE, join_url
from provision.models.versions import apt_line_url
from provision.plan import Change, Command, FileWrite
from provision.resources.cuda import toolkit_apt_satisfied
from provision.resources.cudnn import cudnn_apt_installed
from provision.resources.driver import installed_driver
from provision.tasks.commands import apt_update, cached_path, download, package_name
from provision.tasks.distro import NVIDIA_ARCHITECTURES, nvidia_repository
from provision.tasks.nvidia_keyring import KEYRING_DEB, KEYRING_PATH, install_keyring

MIRROR_LIST_PATH = "/etc/apt/sources.list.d/provision-cuda.list"
NVIDIA_LIST_PATH = "/etc/apt/sources.list.d/provision-cuda-nvidia.list"
KEYRING_PACKAGE = "cuda-keyring"


def repository_files(desired: HostState) -> list[str]:
    """The files the facts must report for this task: the managed list (and NVIDIA's
    keyring, when the repository is NVIDIA's)."""
    if desired.sources.apt_repository is not None:
        return [MIRROR_LIST_PATH]
    return [NVIDIA_LIST_PATH, KEYRING_PATH]


def needs_apt(desired: HostState, facts: Facts) -> list[str]:
    """What this plan installs from apt (empty when nothing)."""
    wanted = []
    driver = desired.driver
    if (
        driver is not None
        and driver.source == "apt"
        and installed_driver(driver, facts) != driver.version
    ):
        wanted.append(f"driver {driver.version}")
    for toolkit in desired.cuda_toolkits:
        if toolkit.source == "apt" and not toolkit_apt_satisfied(toolkit, facts):
            wanted.append(f"CUDA {toolkit.version}")
    for major, build in sorted(desired.cudnn.items()):
        if build.source == "apt" and not cudnn_apt_installed(major, build, facts):
            wanted.append(f"cuDNN {build.version} for CUDA {major}")
    return wanted


def _list_content(line: str) -> bytes:
    return f"# Managed by provision: the apt repository of the CUDA packages.\n{line}\n".encode()


def _keyring_package_installed(facts: Facts) -> bool:
    keyring = [p for p in facts.cuda.packages if package_name(p.name) == KEYRING_PACKAGE]
    return any(package.installed for package in keyring)


def repository_file(desired: HostState, facts: Facts) -> tuple[str, bytes] | None:
    """(path, content) of the managed source list, or None when NVIDIA's own
    `cuda-keyring` package brings the list (NVIDIA's repository at its official address)."""
    line = desired.sources.apt_repository
    if line is not None:
        return MIRROR_LIST_PATH, _list_content(public_url_line(line))
    if desired.sources.nvidia_apt_base == NVIDIA_APT_BASE and _keyring_package_installed(facts):
        return None
    return NVIDIA_LIST_PATH, _list_content(
        f"deb [signed-by={KEYRING_PATH}] {public_url(_nvidia_base(desired, facts))} /"
    )


def public_url_line(line: str) -> str:
    """The source line with its URL's login left out."""
    url = apt_line_url(line)
    return line if url is None else line.replace(url, public_url(url), 1)


def _nvidia_base(desired: HostState, facts: Facts) -> str:
    distro = nvidia_repository(facts) or ""
    architecture = NVIDIA_ARCHITECTURES.get(facts.kernel.architecture or "amd64", "x86_64")
    return join_url(desired.sources.nvidia_apt_base, distro, architecture) + "/"


def _file_write(path: str, content: bytes, facts: Facts, wanted: bool) -> FileWrite | None:
    """The write of the list file: when apt installs something and the file is missing,
    unread by the facts or different, and when the file is there but differs."""
    found = facts.file(path)
    current = found.content if found is not None and found.state == "file" else None
    if current is None and not wanted:
        return None
    if current == content.decode():
        return None
    diff = "".join(
        difflib.unified_diff(
            (current or "").splitlines(keepends=True),
            content.decode().splitlines(keepends=True),
            path if current is not None else "/dev/null",
            path,
        )
    )
    return FileWrite(path=path, content=content, mode=0o644, diff=diff)


def _keyring(desired: HostState, facts: Facts) -> list[Command]:
    """NVIDIA's keyring, checked and installed, unless it is there (or NVIDIA's package
    is); a mirror line names its own keyring."""
    if desired.sources.apt_repository is not None or _keyring_package_installed(facts):
        return []
    found = facts.file(KEYRING_PATH)
    if found is not None and found.state == "file":
        return []
    url = join_url(_nvidia_base(desired, facts), KEYRING_DEB)
    return [*download(url, None), install_keyring(cached_path(url))]


def plan_apt_repository(desired: HostState, facts: Facts) -> list[Change]:
    """Add the repository (when missing or drifted) and refresh the package lists before
    apt installs anything."""
    wanted = needs_apt(desired, facts)
    actions: list[Command | FileWrite] = []
    if wanted:
        actions += _keyring(desired, facts)
    managed = repository_file(desired, facts)
    write = _file_write(*managed, facts, bool(wanted)) if managed else None
    if write is not None:
        actions.append(write)
    if not actions and not wanted:
        return []
    actions.append(apt_update())
    resource = managed[0] if managed else f"NVIDIA CUDA repository {nvidia_repository(facts)}"
    reasons = ["apt installs " + ", ".join(wanted)] if wanted else []
    found = facts.file(write.path) if write is not None else None
    if found is not None:
        reasons.append(f"{found.path} {'is missing' if found.state == 'missing' else 'differs'}")
    return [
        Change(
            task="apt-repository",
            resource=resource,
            before=None if write is not None else "in place",
            after=redact(desired.sources.apt_repository or _nvidia_base(desired, facts)),
            reason="; ".join(reasons),
            actions=tuple(actions),
            once_per_run=len(actions) == 1,
        )
    ]
