"""The NVIDIA driver: purge conflicting driver packages, then install the wanted one.

apt: the driver's packages as the host's distribution names them in NVIDIA's repository
(`provision.packaging.driver_names`: `nvidia-driver-535` on Ubuntu, `nvidia-driver`,
`nvidia-kernel-dkms`, `nvidia-smi`, `libcuda1` on Debian), each at `<version>-*`, with
the whole driver set pinned to that version in a managed apt preferences file (a
repository holds every point release of a branch, and apt would otherwise pick the
newest parts); from branch 590 NVIDIA's pinning package goes in first. An older version
than the installed one is planned as a downgrade. `hold` holds the packages (recorded in
provision's holds file); `hold: false` releases provision's holds; anyone else's hold on
a package the change needs stops the plan. runfile: NVIDIA's installer from the cache
folder, `--silent`. The purge names the conflicting packages one by one (never
`nvidia*`): dropping `cuda-drivers` takes `cuda-X-Y` and `cuda-runtime-X-Y` with it, so
installed `cuda-toolkit-X-Y` packages are first marked manual, and the autoremove after
the purge leaves them (and what they need).
"""

from __future__ import annotations

import re

from provision.artifacts import checksum, driver_runfile_url
from provision.check import Check, flag
from provision.facts.model import Facts
from provision.facts.nvidia import upstream_version
from provision.models import Driver, HostState
from provision.models.versions import version_key
from provision.packaging.cuda_names import toolkit_package
from provision.packaging.driver_names import (
    BRANCHLESS_DRIVER_NAMES,
    DriverPackages,
    Origin,
    PackagingError,
    driver_packages,
    version_pattern,
)
from provision.plan import Change, Command, FileWrite
from provision.resources.package_holds import foreign_holds, held_reason, own_holds
from provision.tasks.commands import (
    apt_get,
    apt_install,
    apt_mark,
    cached_path,
    download,
    hold,
    package_name,
    release_holds,
    run_installer,
)
from provision.tasks.distro import host_distribution
from provision.tasks.reboot import has_nvidia_gpu

PIN_PATH = "/etc/apt/preferences.d/provision-nvidia-driver"
PIN_PRIORITY = 1001
"""Above 1000, so apt keeps (or brings back) every package of the set at the pinned
version whatever newer point release the repository offers."""

_BRANCH_PACKAGE = re.compile(
    r"(?:(?:nvidia|libnvidia|xserver-xorg-video-nvidia)(?:-[a-z0-9.+-]+?)?|cuda-drivers)"
    r"-(?P<branch>[0-9]{3})(?:-open|-server(?:-open)?)?"
)


def origin(driver: Driver) -> Origin:
    """Where the driver's packages come from: NVIDIA's repository for `apt`, the
    distribution's archive for `distro`."""
    return "distro" if driver.source == "distro" else "nvidia"


def driver_names(driver: Driver, facts: Facts) -> DriverPackages | None:
    """The wanted driver's packages on this host (None for a runfile driver, or a host
    whose distribution or flavour has none: `driver_packaging_reason` says why)."""
    distribution = host_distribution(facts)
    if driver.source == "runfile" or distribution is None:
        return None
    try:
        return driver_packages(
            distribution,
            origin(driver),
            driver.version,
            open_modules=driver.open_kernel_modules,
            server=driver.server,
        )
    except PackagingError:
        return None


def driver_packaging_reason(desired: HostState, facts: Facts) -> str | None:
    """Why the host is refused: no repository publishes the wanted driver flavour."""
    driver = desired.driver
    distribution = host_distribution(facts)
    if driver is None or driver.source == "runfile" or distribution is None:
        return None
    try:
        driver_packages(
            distribution,
            origin(driver),
            driver.version,
            open_modules=driver.open_kernel_modules,
            server=driver.server,
        )
    except PackagingError as error:
        return str(error)
    return None


def package_branch(name: str) -> str | None:
    """The driver branch a package's name carries (`nvidia-dkms-515-open`,
    `libnvidia-compute-515`, `cuda-drivers-515` -> `515`), None for every other package.

    The name, not the version, decides: `nvidia-container-toolkit` 1.14.3,
    `libnvidia-container1`, `nvidia-prime` or Debian's `nvidia-cuda-toolkit` are not
    drivers whatever their version's major is."""
    match = _BRANCH_PACKAGE.fullmatch(package_name(name))
    return match.group("branch") if match else None


def _driver_branch(name: str, version: str | None) -> str | None:
    """The branch of an installed driver package: from its name, or from its version for
    the names without a branch (Debian's, NVIDIA's from 590, `cuda-drivers`)."""
    if package_name(name) in BRANCHLESS_DRIVER_NAMES:
        upstream = upstream_version(version)
        return upstream.split(".")[0] if upstream else None
    return package_branch(name)


def conflicting_packages(driver: Driver, facts: Facts) -> list[str]:
    """Installed driver packages the wanted driver does not replace in place, by name,
    sorted: every one for a runfile install; else those of another branch whose names
    are not the wanted set's (a package of the set at another version is upgraded or
    downgraded by the install itself)."""
    wanted = str(driver.branch)
    names = driver_names(driver, facts)
    keep = set(names.driver_set) if names else set()
    found = set()
    for package in facts.nvidia.packages:
        branch = _driver_branch(package.name, package.version)
        if package.state == "config-files" or branch is None:
            continue
        name = package_name(package.name)
        if driver.source == "runfile" or (branch != wanted and name not in keep):
            found.add(package.name)
    return sorted(found)


def installed_driver(driver: Driver, facts: Facts) -> str | None:
    """The version of the wanted driver's metapackage (apt) or module on disk (runfile)."""
    if driver.source == "runfile":
        return facts.nvidia.installed_module_version or facts.nvidia.userspace_version
    names = driver_names(driver, facts)
    for package in facts.nvidia.packages:
        if names and package_name(package.name) == names.meta and package.installed:
            return upstream_version(package.version)
    return None


def _current_driver(facts: Facts) -> str | None:
    """Whatever driver the host has, for the report's `before`."""
    nvidia = facts.nvidia
    return nvidia.package_version or nvidia.installed_module_version or nvidia.userspace_version


def pin_content(names: DriverPackages, version: str) -> bytes:
    """The apt preferences file that keeps the whole driver set at `version`."""
    return (
        f"# Managed by provision: the NVIDIA driver set at {version}.\n"
        f"Package: {' '.join(names.driver_set)}\n"
        f"Pin: version {version_pattern(version)}\n"
        f"Pin-Priority: {PIN_PRIORITY}\n"
    ).encode()


def driver_files(desired: HostState) -> list[str]:
    """The files the facts must report for the driver: its apt pin."""
    driver = desired.driver
    return [PIN_PATH] if driver is not None and driver.source != "runfile" else []


def _pin_write(names: DriverPackages, version: str, facts: Facts) -> FileWrite | None:
    content = pin_content(names, version)
    found = facts.file(PIN_PATH)
    if found is not None and found.state == "file" and found.content == content.decode():
        return None
    return FileWrite(path=PIN_PATH, content=content, mode=0o644)


def _installed_names(facts: Facts) -> set[str]:
    return {package_name(p.name) for p in facts.nvidia.packages if p.installed}


def _touched_by_install(names: DriverPackages, facts: Facts) -> list[str]:
    """The installed packages an install of the driver set changes."""
    return sorted(set(names.driver_set) & _installed_names(facts))


def held_driver_reason(desired: HostState, facts: Facts) -> str | None:
    """Why the host is refused: a package the driver change must touch is held by
    someone else (provision never overrides an admin's hold)."""
    driver = desired.driver
    if driver is None:
        return None
    touched: list[str] = []
    if driver.purge_conflicting:
        touched += [package_name(name) for name in conflicting_packages(driver, facts)]
    names = driver_names(driver, facts)
    if names is not None and installed_driver(driver, facts) != driver.version:
        touched += _touched_by_install(names, facts)
    blocked = foreign_holds(sorted(set(touched)), facts)
    return held_reason(f"driver {driver.version}", blocked) if blocked else None


def plan_purge(desired: HostState, facts: Facts) -> list[Change]:
    """Purge driver packages that conflict with the wanted driver, keeping CUDA toolkits."""
    driver = desired.driver
    if driver is None or not driver.purge_conflicting:
        return []
    conflicting = conflicting_packages(driver, facts)
    if not conflicting:
        return []
    toolkits = [toolkit_package(release) for release in facts.cuda.package_releases]
    actions: list[Command] = []
    if toolkits:
        actions.append(apt_mark("manual", *toolkits))
    own = own_holds([package_name(name) for name in conflicting], facts)
    if own:
        actions.append(release_holds(*own))
    actions += [
        apt_get("--purge", "remove", *conflicting),
        apt_get("--purge", "autoremove"),
    ]
    versions = sorted(
        {upstream_version(p.version) or "?" for p in facts.nvidia.packages if p.name in conflicting}
    )
    if driver.source == "runfile":
        reason = f"apt driver packages ({', '.join(versions)}) conflict with the runfile driver"
    else:
        reason = f"driver {', '.join(versions)} installed, {driver.version} wanted"
    return [
        Change(
            task="driver-purge",
            resource="conflicting NVIDIA driver packages",
            before=", ".join(conflicting),
            after="purged",
            reason=reason,
            needs_reboot=True,
            actions=tuple(actions),
        )
    ]


def _runfile_commands(desired: HostState, driver: Driver) -> list[Command]:
    url = driver_runfile_url(desired, driver)
    flags = ["--silent"]
    if driver.open_kernel_modules:
        flags.append("-m=kernel-open")
    install = run_installer(cached_path(url), *flags, timeout_s=1800.0)
    return [*download(url, checksum(desired, url, driver.runfile_sha256)), install]


def _hold_actions(driver: Driver, names: DriverPackages, facts: Facts) -> list[Command]:
    """Hold what is not held yet, or release provision's holds when `hold` is off."""
    held = set(facts.apt.held)
    if driver.hold:
        missing = [name for name in names.install if name not in held]
        return [hold(*missing)] if missing else []
    own = own_holds(list(names.install), facts)
    return [release_holds(*own)] if own else []


def _apt_change(driver: Driver, names: DriverPackages, facts: Facts) -> Change | None:
    installed = installed_driver(driver, facts)
    pin = _pin_write(names, driver.version, facts)
    if installed == driver.version:
        holds = _hold_actions(driver, names, facts)
        if pin is None and not holds:
            return None
        reasons = [f"{PIN_PATH} is missing or differs"] if pin else []
        if holds:
            reasons.append("not held" if driver.hold else "held by provision, and hold is off")
        return Change(
            task="driver",
            resource=f"NVIDIA driver ({names.meta})",
            before=installed,
            after=driver.version,
            reason=f"driver {installed} installed but " + "; ".join(reasons),
            actions=(*([pin] if pin else []), *holds),
        )
    current = installed or _current_driver(facts)
    downgrade = installed is not None and version_key(installed) > version_key(driver.version)
    actions: list[Command | FileWrite] = []
    if names.pinning is not None:
        actions.append(apt_install(names.pinning))
    actions.append(pin or FileWrite(path=PIN_PATH, content=pin_content(names, driver.version)))
    own = own_holds(_touched_by_install(names, facts), facts)
    if own:
        actions.append(release_holds(*own))
    pattern = version_pattern(driver.version)
    actions.append(
        apt_install(*(f"{name}={pattern}" for name in names.install), downgrade=downgrade)
    )
    if driver.hold:
        actions.append(hold(*names.install))
    kind = "downgrade" if downgrade else "install"
    return Change(
        task="driver",
        resource=f"NVIDIA driver ({names.meta})",
        before=current,
        after=driver.version,
        reason=f"driver {current or 'none'} installed, {driver.version} wanted ({kind} of "
        f"{', '.join(names.install)})",
        needs_reboot=True,
        actions=tuple(actions),
    )


def plan_driver(desired: HostState, facts: Facts) -> list[Change]:
    """Install (or upgrade, or downgrade to) the wanted driver, pinned and held."""
    driver = desired.driver
    if driver is None:
        return []
    if driver.source == "runfile":
        installed = installed_driver(driver, facts)
        if installed == driver.version:
            return []
        current = installed or _current_driver(facts)
        return [
            Change(
                task="driver",
                resource="NVIDIA driver (runfile)",
                before=current,
                after=driver.version,
                reason=f"driver {current or 'none'} installed, {driver.version} wanted",
                needs_reboot=True,
                actions=tuple(_runfile_commands(desired, driver)),
            )
        ]
    names = driver_names(driver, facts)
    change = _apt_change(driver, names, facts) if names else None
    return [change] if change else []


def driver_warnings(desired: HostState, facts: Facts) -> list[str]:
    """What the plan cannot know before the driver loads: the GPUs' names (nothing loaded)
    and whether Secure Boot will let an unsigned module load; and holds provision keeps
    its hands off."""
    driver = desired.driver
    if driver is None:
        return []
    warnings = []
    if not facts.nvidia.gpus and has_nvidia_gpu(facts):
        warnings.append(
            "no NVIDIA driver is loaded, so the GPUs' names are unknown and their support by "
            "the driver and CUDA is checked only after the reboot"
        )
    if facts.kernel.secure_boot:
        warnings.append(
            "Secure Boot is on: the NVIDIA kernel module loads only when signed with an "
            "enrolled key (MOK); an unsigned one leaves the driver unloaded after the reboot"
        )
    names = driver_names(driver, facts)
    if names is not None and not driver.hold:
        others = foreign_holds(list(names.install), facts)
        if others:
            warnings.append(
                f"hold is off, but {', '.join(others)} stay held: provision did not hold "
                "them and does not release someone else's hold"
            )
    return warnings


def checks(state: HostState) -> list[Check]:
    """The driver's packages (apt, named for the host's distribution when checked), its
    loaded module and `nvidia-smi` agree with the desired version."""
    driver = state.driver
    if driver is None:
        return []
    found = []
    if driver.source != "runfile":
        found.append(Check(
            "driver packages", "driver-package", "the driver's packages",
            f"installed at {driver.version}" + (" and held" if driver.hold else ""),
            {"origin": origin(driver), "version": driver.version,
             "open": flag(driver.open_kernel_modules), "server": flag(driver.server),
             "hold": flag(driver.hold)},
        ))  # fmt: skip
    found.append(Check(
        "driver module loaded = installed", "driver-module", "/proc/driver/nvidia/version",
        f"the loaded NVIDIA module is {driver.version}, as installed",
        {"version": driver.version},
    ))  # fmt: skip
    found.append(Check(
        "nvidia-smi answers", "nvidia-smi", "nvidia-smi",
        "nvidia-smi lists the GPUs with the desired driver"
        + ("" if state.verify.require_gpu else " (skipped when the host has no GPU)"),
        {"version": driver.version, "require_gpu": flag(state.verify.require_gpu)},
    ))  # fmt: skip
    return found
