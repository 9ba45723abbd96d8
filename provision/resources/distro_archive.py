"""The distribution's own archive, made to carry the driver for `driver.source: distro`.

Debian keeps its NVIDIA driver out of `main`: the driver in `non-free`, its helpers in
`contrib`, its GSP firmware in `non-free-firmware`; Canonical's are in Ubuntu's
`restricted` (`DriverPackages.archive_components`). A host installed with `main` only
cannot see them. provision enables what is missing for every entry of the host's release
(`<codename>`, `-updates`, `-security`) that carries `main`, whether one-line or deb822,
by listing the missing components in its own deb822 file beside the host's: the admin's
files are never edited, and each added entry repeats its source's options that apt
requires to agree (Signed-By, Trusted, Check-Valid-Until, ...). Components the host's own
files gain later drop out of provision's file (removed once empty). `apt-get update` runs before the
driver's packages are installed; when it fails right after the file was written, the file
is removed again, so a source apt cannot read never stays behind to break every later apt
command on the host.
"""

from __future__ import annotations

from collections.abc import Iterable

from provision import shell
from provision.facts.apt_sources import AptSource
from provision.facts.model import Facts
from provision.models import HostState
from provision.packaging.distributions import Distribution
from provision.plan import Change, Command, FileWrite
from provision.resources.driver import driver_names, installed_driver
from provision.tasks.commands import apt_update
from provision.tasks.distro import host_distribution

COMPONENTS_PATH = "/etc/apt/sources.list.d/provision-distro-components.sources"
_REMOVE_COMPONENTS = shell.command("rm", "-f", "--", COMPONENTS_PATH)


def archive_suites(distribution: Distribution) -> tuple[str, ...]:
    """The suites of the release's archive the driver may come from: the release, its
    updates and its security updates (Debian's point-release fixes of the driver reach
    `bookworm-security`, e.g. 535.309.01-0+deb12u1)."""
    codename = distribution.codename
    return (codename, f"{codename}-updates", f"{codename}-security")


def distro_archive_files(desired: HostState) -> list[str]:
    """The files the facts must report: provision's components file, for a distro driver."""
    driver = desired.driver
    return [COMPONENTS_PATH] if driver is not None and driver.source == "distro" else []


def _hosts_binary_entries(sources: Iterable[AptSource]) -> list[AptSource]:
    """The host's own enabled `deb` entries (provision's file left out)."""
    return [
        entry
        for entry in sources
        if entry.file != COMPONENTS_PATH and entry.enabled and "deb" in entry.types
    ]


def _archive_entries(sources: Iterable[AptSource], suites: tuple[str, ...]) -> list[AptSource]:
    """The host's own entries of the release's archive (those with `main`)."""
    return [
        entry
        for entry in _hosts_binary_entries(sources)
        if "main" in entry.components and set(entry.suites) & set(suites)
    ]


def _wanted_components(desired: HostState, facts: Facts) -> tuple[str, ...] | None:
    driver = desired.driver
    if driver is None or driver.source != "distro":
        return None
    names = driver_names(driver, facts)
    return names.archive_components if names is not None else None


def distro_archive_reason(desired: HostState, facts: Facts) -> str | None:
    """Why the host is refused: a distro driver, and no entry of the release's archive in
    its apt sources to enable the driver's components for."""
    wanted = _wanted_components(desired, facts)
    distribution = host_distribution(facts)
    if not wanted or distribution is None:
        return None
    suites = archive_suites(distribution)
    if _archive_entries(facts.apt.sources, suites):
        return None
    files = sorted({entry.file for entry in facts.apt.sources}) or ["/etc/apt/sources.list"]
    return (
        f"driver source 'distro' needs {distribution.name}'s archive, but no apt source "
        f"({', '.join(files)}) has a {distribution.codename} entry with main"
    )


def _stanza(
    uri: str, suites: list[str], components: tuple[str, ...], options: tuple[tuple[str, str], ...]
) -> str:
    lines = ["Types: deb", f"URIs: {uri}", f"Suites: {' '.join(suites)}"]
    lines.append(f"Components: {' '.join(components)}")
    for name, value in options:
        field = "-".join(part.capitalize() for part in name.split("-"))
        lines.append(f"{field}: {value}")
    return "\n".join(lines) + "\n"


def _present_components(sources: Iterable[AptSource]) -> dict[tuple[str, str], set[str]]:
    """(URI, suite) -> the components the host's own enabled binary entries give it."""
    present: dict[tuple[str, str], set[str]] = {}
    for entry in _hosts_binary_entries(sources):
        for uri in entry.uris:
            for suite in entry.suites:
                present.setdefault((uri.rstrip("/"), suite), set()).update(entry.components)
    return present


def components_content(
    sources: tuple[AptSource, ...], suites: tuple[str, ...], wanted: tuple[str, ...]
) -> bytes | None:
    """provision's components file for the host's archive entries, or None when every
    entry already has every wanted component."""
    present = _present_components(sources)
    groups: dict[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], list[str]] = {}
    added: set[tuple[str, str]] = set()
    for entry in _archive_entries(sources, suites):
        for uri in entry.uris:
            for suite in (suite for suite in entry.suites if suite in suites):
                target = (uri.rstrip("/"), suite)
                missing = tuple(c for c in wanted if c not in present[target])
                if missing and target not in added:
                    added.add(target)
                    key = (uri, missing, entry.shared_options())
                    groups.setdefault(key, []).append(suite)
    if not groups:
        return None
    stanzas = [
        _stanza(uri, suite_list, missing, options)
        for (uri, missing, options), suite_list in groups.items()
    ]
    header = (
        "# Managed by provision: the components the NVIDIA driver needs, for the\n"
        "# distribution's archive entries of the other source files.\n"
    )
    return (header + "\n".join(stanzas)).encode()


def plan_distro_archive(desired: HostState, facts: Facts) -> list[Change]:
    """Enable the driver's components in the host's archive entries (when some are
    missing or provision's file is stale), then refresh the lists before the driver's
    packages are installed."""
    driver = desired.driver
    wanted = _wanted_components(desired, facts)
    distribution = host_distribution(facts)
    if driver is None or wanted is None or distribution is None:
        return []
    content = components_content(facts.apt.sources, archive_suites(distribution), wanted)
    found = facts.file(COMPONENTS_PATH)
    current = found.content if found is not None and found.state == "file" else None
    actions: list[Command | FileWrite] = []
    reasons = []
    if content is not None and current != content.decode():
        actions.append(FileWrite(path=COMPONENTS_PATH, content=content, mode=0o644))
        reasons.append(f"{distribution.name}'s archive entries lack {', '.join(wanted)}")
    elif content is None and found is not None and found.state != "missing":
        actions.append(Command(command=_REMOVE_COMPONENTS))
        reasons.append(f"the host's own sources carry {', '.join(wanted)} now")
    install = installed_driver(driver, facts) != driver.version
    if install:
        reasons.append(f"apt installs the distribution's driver {driver.version}")
    if not actions and not install:
        return []
    update = apt_update()
    if any(isinstance(action, FileWrite) for action in actions):
        undo = shell.command("rm", "-f", "--", COMPONENTS_PATH)
        update = update.model_copy(update={"command": f"{update.command} || {{ {undo}; exit 1; }}"})
    actions.append(update)
    return [
        Change(
            task="distro-archive",
            resource=COMPONENTS_PATH,
            before=None if current is None else "other components",
            after=" ".join(wanted) if content is not None else "absent",
            reason="; ".join(reasons),
            actions=tuple(actions),
            once_per_run=len(actions) == 1,
        )
    ]
