"""The NVIDIA driver: purge conflicting driver packages, then install the wanted one.

apt: `nvidia-driver-<branch>=<version>-*` (the Debian revision left to the repository),
then held. runfile: NVIDIA's installer from the cache folder, `--silent`. The purge names
the conflicting packages one by one (never `nvidia*`): dropping `cuda-drivers` takes
`cuda-X-Y` and `cuda-runtime-X-Y` with it, so installed `cuda-toolkit-X-Y` packages are
first marked manual, and the autoremove after the purge leaves them (and what they need).
"""

from __future__ import annotations

import re

from provision.artifacts import checksum, driver_runfile_url
from provision.check import Check, flag
from provision.facts.model import Facts
from provision.facts.nvidia import upstream_version
from provision.models import Driver, HostState
from provision.packaging.cuda_names import toolkit_package
from provision.plan import Change, Command
from provision.tasks.commands import (
    apt_get,
    apt_install,
    apt_mark,
    cached_path,
    download,
    package_name,
    run_installer,
)
from provision.tasks.reboot import has_nvidia_gpu


def driver_packages(driver: Driver) -> list[str]:
    """The packages that make up the driver; all of them are held when `hold` is set."""
    suffix = f"{driver.branch}-open" if driver.open_kernel_modules else str(driver.branch)
    return [
        f"nvidia-driver-{suffix}",
        f"nvidia-dkms-{suffix}",
        f"nvidia-utils-{driver.branch}",
        f"libnvidia-compute-{driver.branch}",
    ]


_BRANCH_PACKAGE = re.compile(
    r"(?:(?:nvidia|libnvidia|xserver-xorg-video-nvidia)(?:-[a-z0-9.+-]+?)?|cuda-drivers)"
    r"-(?P<branch>[0-9]{3})(?:-open|-server(?:-open)?)?"
)


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
    NVIDIA's unversioned `cuda-drivers` metapackage (which only ever carries a driver)."""
    if package_name(name) == "cuda-drivers":
        upstream = upstream_version(version)
        return upstream.split(".")[0] if upstream else None
    return package_branch(name)


def conflicting_packages(driver: Driver, facts: Facts) -> list[str]:
    """Installed driver packages of another branch (of any branch for a runfile install),
    by name, sorted."""
    wanted = str(driver.branch)
    names = set()
    for package in facts.nvidia.packages:
        branch = _driver_branch(package.name, package.version)
        if package.state == "config-files" or branch is None:
            continue
        if driver.source == "runfile" or branch != wanted:
            names.add(package.name)
    return sorted(names)


def installed_driver(driver: Driver, facts: Facts) -> str | None:
    """The version of the wanted driver's metapackage (apt) or module on disk (runfile)."""
    if driver.source == "runfile":
        return facts.nvidia.installed_module_version or facts.nvidia.userspace_version
    name = driver_packages(driver)[0]
    for package in facts.nvidia.packages:
        if package_name(package.name) == name and package.installed:
            return upstream_version(package.version)
    return None


def _current_driver(facts: Facts) -> str | None:
    """Whatever driver the host has, for the report's `before`."""
    nvidia = facts.nvidia
    return nvidia.package_version or nvidia.installed_module_version or nvidia.userspace_version


def driver_satisfied(driver: Driver, facts: Facts) -> bool:
    """Whether the wanted driver is installed (and held when it should be)."""
    if installed_driver(driver, facts) != driver.version:
        return False
    if driver.source == "apt" and driver.hold:
        return set(driver_packages(driver)) <= set(facts.apt.held)
    return True


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
    actions += [
        apt_get("--purge", "--allow-change-held-packages", "remove", *conflicting),
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


def plan_driver(desired: HostState, facts: Facts) -> list[Change]:
    """Install (or upgrade to) the wanted driver and hold it."""
    driver = desired.driver
    if driver is None or driver_satisfied(driver, facts):
        return []
    installed = installed_driver(driver, facts)
    current = installed or _current_driver(facts)
    if installed == driver.version and driver.source == "apt":
        actions = [apt_mark("hold", *driver_packages(driver))]
    elif driver.source == "runfile":
        actions = _runfile_commands(desired, driver)
    else:
        actions = [apt_install(f"{driver_packages(driver)[0]}={driver.version}-*")]
        if driver.hold:
            actions.append(apt_mark("hold", *driver_packages(driver)))
    if installed == driver.version:
        reason = f"driver {driver.version} installed but not held"
    else:
        reason = f"driver {current or 'none'} installed, {driver.version} wanted"
    return [
        Change(
            task="driver",
            resource=f"NVIDIA driver ({driver.source})",
            before=current,
            after=driver.version,
            reason=reason,
            needs_reboot=installed != driver.version,
            actions=tuple(actions),
        )
    ]


def driver_warnings(desired: HostState, facts: Facts) -> list[str]:
    """What the plan cannot know before the driver loads: the GPUs' names (nothing loaded)
    and whether Secure Boot will let an unsigned module load."""
    if desired.driver is None:
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
    return warnings


def checks(state: HostState) -> list[Check]:
    """The driver's packages (apt), its loaded module and `nvidia-smi` agree with the
    desired version."""
    driver = state.driver
    if driver is None:
        return []
    found = []
    if driver.source == "apt":
        packages = driver_packages(driver)
        found.append(Check(
            f"driver package {packages[0]}", "driver-package", packages[0],
            f"installed at {driver.version}" + (" and held" if driver.hold else ""),
            {"packages": " ".join(packages), "version": driver.version,
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
