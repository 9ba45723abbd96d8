"""CUDA toolkits side by side under `/usr/local/cuda-X.Y`.

apt: `cuda-toolkit-X-Y=<version>-1` (never `cuda-X-Y`, whose `cuda-runtime-X-Y` pulls
`cuda-drivers` and with it a driver of apt's choosing); runfile: NVIDIA's local
installer with `--silent --toolkit --toolkitpath=<path> --no-opengl-libs`, which installs
no driver. Toolkits found but not declared are unmanaged; `prune` removes them.
"""

from __future__ import annotations

from provision import shell
from provision.artifacts import RUNFILE_DRIVERS, checksum, cuda_runfile_url
from provision.check import SMOKE_PATH, Check, flag
from provision.cuda_layout import ACTIVE_CUDA_LINK, toolkit_folder
from provision.facts.cuda import CudaToolkit as FoundToolkit
from provision.facts.model import Facts
from provision.facts.nvidia import upstream_version
from provision.models import CudaToolkit, HostState
from provision.packaging.availability import toolkit_unavailable
from provision.packaging.cuda_names import (
    alternatives_priority,
    release_suffix,
    toolkit_package,
    toolkit_version_pattern,
)
from provision.plan import Change, Command, Unmanaged
from provision.tasks.commands import (
    apt_get,
    apt_install,
    cached_path,
    download,
    package_name,
    replace_symlink,
    run_installer,
)
from provision.tasks.distro import host_distribution


def found_toolkit(path: str, facts: Facts) -> FoundToolkit | None:
    """The toolkit the facts found at `path`."""
    return next((item for item in facts.cuda.toolkits if item.path == path), None)


def toolkit_apt_satisfied(toolkit: CudaToolkit, facts: Facts) -> bool:
    """Whether `cuda-toolkit-X-Y` is installed at the wanted version."""
    name = toolkit_package(toolkit.release)
    return any(
        package_name(package.name) == name
        and package.installed
        and upstream_version(package.version) == toolkit.version
        for package in facts.cuda.packages
    )


def toolkit_installed(toolkit: CudaToolkit, facts: Facts) -> str | None:
    """The version found for `toolkit` (its package's, or its folder's for a runfile)."""
    if toolkit.source == "apt":
        name = toolkit_package(toolkit.release)
        for package in facts.cuda.packages:
            if package_name(package.name) == name and package.installed:
                return upstream_version(package.version)
        return None
    found = found_toolkit(toolkit.path, facts)
    return found.version if found and found.nvcc else None


def _satisfied(toolkit: CudaToolkit, facts: Facts) -> bool:
    if toolkit.source == "apt":
        return toolkit_apt_satisfied(toolkit, facts)
    found = found_toolkit(toolkit.path, facts)
    return found is not None and found.nvcc and found.release == toolkit.release


def _install(desired: HostState, toolkit: CudaToolkit) -> list[Command]:
    if toolkit.source == "apt":
        return [
            apt_install(
                f"{toolkit_package(toolkit.release)}={toolkit_version_pattern(toolkit.version)}"
            )
        ]
    url = cuda_runfile_url(desired, toolkit)
    flags = ["--silent", "--toolkit", f"--toolkitpath={toolkit.path}", "--no-opengl-libs"]
    run = run_installer(cached_path(url), *flags, timeout_s=3600.0)
    return [*download(url, checksum(desired, url, toolkit.runfile_sha256)), run]


def unmanaged_toolkits(desired: HostState, facts: Facts) -> list[Unmanaged]:
    """Toolkit folders on the host that no declared toolkit is."""
    declared = {toolkit.path for toolkit in desired.cuda_toolkits}
    return [
        Unmanaged(
            kind="cuda-toolkit",
            resource=found.path,
            detail=f"CUDA {found.version or 'of unknown version'}",
            pruned=desired.prune,
        )
        for found in facts.cuda.toolkits
        if found.path not in declared
    ]


def _prune_actions(path: str, facts: Facts) -> list[Command]:
    found = found_toolkit(path, facts)
    release = found.release if found else None
    if release is not None and release in facts.cuda.package_releases:
        return [
            apt_get("--purge", "remove", toolkit_package(release)),
            apt_get("--purge", "autoremove"),
        ]
    return [Command(command=shell.command("rm", "-rf", "--one-file-system", path))]


def _prune(desired: HostState, facts: Facts) -> list[Change]:
    if not desired.prune:
        return []
    return [
        Change(
            task="cuda",
            resource=finding.resource,
            before=finding.detail,
            after="absent",
            reason="not declared, and prune is set",
            actions=tuple(_prune_actions(finding.resource, facts)),
        )
        for finding in unmanaged_toolkits(desired, facts)
    ]


def _files_missing(toolkit: CudaToolkit, facts: Facts) -> bool:
    """apt has the toolkit installed, but its folder or its nvcc is gone (removed by hand)."""
    found = found_toolkit(toolkit.path, facts)
    return toolkit.source == "apt" and (found is None or not found.nvcc)


def _reinstall(toolkit: CudaToolkit, facts: Facts) -> Change:
    """Reinstall the toolkit's installed `cuda-*-X-Y` packages, which put its files back."""
    suffix = "-" + release_suffix(toolkit.release)
    names = sorted(
        {
            package_name(package.name)
            for package in facts.cuda.packages
            if package.installed and package_name(package.name).endswith(suffix)
        }
    )
    return Change(
        task="cuda",
        resource=toolkit.path,
        before="files missing",
        after=toolkit.version,
        reason=f"{toolkit_package(toolkit.release)} is installed but {toolkit.path}/bin/nvcc "
        "is missing",
        actions=(apt_get("install", "--reinstall", *names),),
    )


def plan_cuda(desired: HostState, facts: Facts) -> list[Change]:
    """Install each declared toolkit not yet in place, reinstall one whose files were
    removed behind apt's back, and prune undeclared ones if asked."""
    changes = []
    for toolkit in desired.cuda_toolkits:
        if _satisfied(toolkit, facts):
            if _files_missing(toolkit, facts):
                changes.append(_reinstall(toolkit, facts))
            continue
        installed = toolkit_installed(toolkit, facts)
        changes.append(
            Change(
                task="cuda",
                resource=toolkit.path,
                before=installed,
                after=toolkit.version,
                reason=f"CUDA {installed or 'none'} installed, {toolkit.version} wanted "
                f"({toolkit.source})",
                actions=tuple(_install(desired, toolkit)),
            )
        )
    return changes + _prune(desired, facts)


ALTERNATIVES_DIR = "/etc/alternatives"


def uses_alternatives(desired: HostState, facts: Facts) -> bool:
    """Whether `/usr/local/cuda` belongs to the `cuda` alternatives group: NVIDIA's toolkit
    packages make it (and move it to the newest toolkit while it is in auto mode)."""
    has_group = any(group.name == "cuda" for group in facts.cuda.alternatives)
    return has_group or any(toolkit.source == "apt" for toolkit in desired.cuda_toolkits)


def _alternative_links(toolkit: CudaToolkit, facts: Facts) -> list[tuple[str, str]]:
    """(group, link) of the groups that must select `toolkit`: `cuda` and `cuda-<major>`,
    the latter left out where `/usr/local/cuda-<major>` is a toolkit's own folder."""
    major = toolkit.release.split(".")[0]
    major_link = f"{ACTIVE_CUDA_LINK}-{major}"
    links = [("cuda", ACTIVE_CUDA_LINK)]
    if found_toolkit(major_link, facts) is None:
        links.append((f"cuda-{major}", major_link))
    return links


def _alternative_selected(group: str, link: str, path: str, facts: Facts) -> bool:
    found = next((item for item in facts.cuda.alternatives if item.name == group), None)
    if found is None or not found.manual or path not in found.choices:
        return False
    if link == ACTIVE_CUDA_LINK:
        return (
            facts.cuda.active_link == f"{ALTERNATIVES_DIR}/{group}"
            and facts.cuda.active_path == path
        )
    return facts.cuda.aliases.get(link) == path


def _unselected_why(group: str, link: str, path: str, facts: Facts) -> str:
    found = next((item for item in facts.cuda.alternatives if item.name == group), None)
    if found is None:
        return f"there is no {group} alternatives group"
    if path not in found.choices:
        return f"{path} is not registered in the {group} alternatives"
    if not found.manual:
        return f"the {group} alternatives are in auto mode (the newest toolkit takes {link})"
    selected = facts.cuda.active_path if link == ACTIVE_CUDA_LINK else facts.cuda.aliases.get(link)
    return f"the {group} alternatives select {selected or 'nothing'}"


def _select_alternative(group: str, link: str, toolkit: CudaToolkit, facts: Facts) -> Command:
    """Register the toolkit in the group when it is not (a runfile toolkit beside apt's),
    then select it in manual mode, which later installs of a toolkit leave alone."""
    found = next((item for item in facts.cuda.alternatives if item.name == group), None)
    steps = []
    if found is None or toolkit.path not in found.choices:
        priority = str(alternatives_priority(toolkit.release))
        steps.append(
            shell.command("update-alternatives", "--install", link, group, toolkit.path, priority)
        )
    steps.append(shell.command("update-alternatives", "--set", group, toolkit.path))
    return Command(command=" && ".join(steps))


def _plan_alternatives(toolkit: CudaToolkit, facts: Facts) -> list[Change]:
    unselected = [
        (group, link)
        for group, link in _alternative_links(toolkit, facts)
        if not _alternative_selected(group, link, toolkit.path, facts)
    ]
    if not unselected:
        return []
    modes = {item.name: "manual" if item.manual else "auto" for item in facts.cuda.alternatives}
    current = facts.cuda.active_path
    return [
        Change(
            task="active-cuda",
            resource=ACTIVE_CUDA_LINK,
            before=f"{current or 'nothing'} ({modes.get('cuda', 'no alternatives group')})",
            after=f"{toolkit.path} (manual)",
            reason=f"CUDA {toolkit.release} is active; "
            + "; ".join(
                _unselected_why(group, link, toolkit.path, facts) for group, link in unselected
            ),
            actions=tuple(_select_alternative(g, link, toolkit, facts) for g, link in unselected),
        )
    ]


def plan_active_cuda(desired: HostState, facts: Facts) -> list[Change]:
    """Select the active toolkit: through the `cuda` alternatives in manual mode where
    NVIDIA's packages use them, else by pointing `/usr/local/cuda` at it directly. A
    `/usr/local/cuda` that is a real folder is left alone (warned about)."""
    toolkit = desired.active_toolkit()
    if toolkit is None:
        return []
    current = facts.cuda.active_link
    if current is None and facts.cuda.active_path is not None:
        return []
    if uses_alternatives(desired, facts):
        return _plan_alternatives(toolkit, facts)
    if current == toolkit.path:
        return []
    return [
        Change(
            task="active-cuda",
            resource=ACTIVE_CUDA_LINK,
            before=current,
            after=toolkit.path,
            reason=f"{ACTIVE_CUDA_LINK} points at {current or 'nothing'}, CUDA {toolkit.release} "
            "is active",
            actions=(replace_symlink(ACTIVE_CUDA_LINK, toolkit.path),),
        )
    ]


def unavailable_toolkit_reason(desired: HostState, facts: Facts) -> str | None:
    """Why the host is refused: an apt toolkit NVIDIA's repository for the host's
    distribution does not carry (a repository line of the state's own is not judged)."""
    distribution = host_distribution(facts)
    if distribution is None or desired.sources.apt_repository is not None:
        return None
    for toolkit in desired.cuda_toolkits:
        if toolkit.source == "apt":
            reason = toolkit_unavailable(distribution, toolkit.release)
            if reason is not None:
                return reason
    return None


def unknown_runfile_reason(desired: HostState) -> str | None:
    """Why the host is refused: a runfile toolkit whose installer's name is not known."""
    for toolkit in desired.cuda_toolkits:
        if toolkit.source == "runfile" and toolkit.version not in RUNFILE_DRIVERS:
            return (
                f"the runfile of CUDA {toolkit.version} is not known (its file name carries "
                "the bundled driver's version): use source apt or a known update"
            )
    return None


def cuda_warnings(desired: HostState, facts: Facts) -> list[str]:
    """An apt toolkit declared at a path apt does not install it in, and a `/usr/local/cuda`
    that is a real folder (left alone, so the active toolkit cannot be linked)."""
    warnings = [
        f"CUDA {toolkit.version} comes from apt, which installs it in "
        f"{toolkit_folder(toolkit.release)}, not {toolkit.path}"
        for toolkit in desired.cuda_toolkits
        if toolkit.source == "apt" and toolkit.path != toolkit_folder(toolkit.release)
    ]
    active_is_folder = facts.cuda.active_link is None and facts.cuda.active_path is not None
    if desired.active_toolkit() is not None and active_is_folder:
        warnings.append(
            f"{ACTIVE_CUDA_LINK} is a folder, not a symlink: it is left alone; move it away to let "
            "provision point it at the active toolkit"
        )
    return warnings


def _program_checks(toolkit: CudaToolkit, require_gpu: bool) -> list[Check]:
    """nvcc builds a vector add, and it runs on the GPU (skipped, saying why, where none is
    usable and the state allows that, and both skipped where `program_check` is off)."""
    release = toolkit.release
    parameters = {
        "path": toolkit.path,
        "release": release,
        "workdir": f"{SMOKE_PATH}/cuda-{release}-program",
        "enabled": flag(toolkit.program_check),
        "require_gpu": flag(require_gpu),
    }
    off = "" if toolkit.program_check else " (off: program_check is false)"
    return [
        Check(
            f"cuda {release} program compiles and links", "cuda-program-build",
            f"{toolkit.path}/bin/nvcc", "nvcc compiles and links a vector add" + off,
            parameters, depends_on=f"cuda {release} nvcc",
        ),
        Check(
            f"cuda {release} program runs", "cuda-program-run", f"{toolkit.path}/bin/nvcc",
            "the vector add runs on the GPU and its sums are right" + off
            + ("" if require_gpu else " (skipped when no GPU is usable)"),
            parameters, depends_on=f"cuda {release} program compiles and links",
        ),
    ]  # fmt: skip


def checks(state: HostState) -> list[Check]:
    """Each toolkit's nvcc reports its release and builds a program that runs, and
    `/usr/local/cuda` links the active one."""
    found = [
        Check(
            f"cuda {toolkit.release} nvcc",
            "nvcc-version",
            f"{toolkit.path}/bin/nvcc",
            f"nvcc --version reports release {toolkit.release}",
            {"path": toolkit.path, "version": toolkit.version, "release": toolkit.release},
        )
        for toolkit in state.cuda_toolkits
    ]
    for toolkit in state.cuda_toolkits:
        found += _program_checks(toolkit, state.verify.require_gpu)
    active = state.active_toolkit()
    if active is not None:
        found.append(Check(
            f"{ACTIVE_CUDA_LINK} is active", "cuda-symlink", ACTIVE_CUDA_LINK,
            f"a symlink to {active.path} (CUDA {active.release})", {"target": active.path},
        ))  # fmt: skip
        apt = any(toolkit.source == "apt" for toolkit in state.cuda_toolkits)
        found.append(Check(
            "cuda alternatives select the active toolkit", "cuda-alternative", "cuda",
            f"the cuda alternatives group selects {active.path} in manual mode"
            + ("" if apt else " (when the host has the group)"),
            {"target": active.path, "required": flag(apt)},
        ))  # fmt: skip
    return found
