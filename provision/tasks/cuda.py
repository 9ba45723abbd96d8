"""CUDA toolkits side by side under `/usr/local/cuda-X.Y`.

apt: `cuda-toolkit-X-Y=<version>-1` (never `cuda-X-Y`, whose `cuda-runtime-X-Y` pulls
`cuda-drivers` and with it a driver of apt's choosing); runfile: NVIDIA's local
installer with `--silent --toolkit --toolkitpath=<path> --no-opengl-libs`, which installs
no driver. Toolkits found but not declared are unmanaged; `prune` removes them.
"""

from __future__ import annotations

from provision import shell
from provision.facts.cuda import CudaToolkit as FoundToolkit
from provision.facts.model import Facts
from provision.facts.nvidia import upstream_version
from provision.models import CudaToolkit, HostState
from provision.models.sources import join_url
from provision.plan import Change, Command, Unmanaged
from provision.tasks.commands import apt_get, apt_install, cached_path, download, package_name

# The driver bundled in NVIDIA's local installer, which names its file
# (`cuda_<version>_<driver>_linux.run`), from NVIDIA's CUDA downloads archive.
RUNFILE_DRIVERS: dict[str, str] = {
    "11.0.3": "450.51.06",
    "11.1.1": "455.32.00",
    "11.2.2": "460.32.03",
    "11.3.1": "465.19.01",
    "11.4.4": "470.82.01",
    "11.5.2": "495.29.05",
    "11.6.2": "510.47.03",
    "11.7.0": "515.43.04",
    "11.7.1": "515.65.01",
    "11.8.0": "520.61.05",
    "12.0.0": "525.60.13",
    "12.0.1": "525.85.12",
    "12.1.0": "530.30.02",
    "12.1.1": "530.30.02",
    "12.2.0": "535.54.03",
    "12.2.1": "535.86.10",
    "12.2.2": "535.104.05",
    "12.3.0": "545.23.06",
    "12.3.1": "545.23.08",
    "12.3.2": "545.23.08",
    "12.4.0": "550.54.14",
    "12.4.1": "550.54.15",
    "12.5.0": "555.42.02",
    "12.5.1": "555.42.06",
    "12.6.0": "560.28.03",
    "12.6.1": "560.35.03",
    "12.6.2": "560.35.03",
    "12.6.3": "560.35.05",
    "12.8.0": "570.86.10",
    "12.8.1": "570.124.06",
}


def toolkit_package(release: str) -> str:
    """`cuda-toolkit-11-8` for release 11.8."""
    return f"cuda-toolkit-{release.replace('.', '-')}"


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


def runfile_url(desired: HostState, toolkit: CudaToolkit) -> str:
    """NVIDIA's local installer of `toolkit` (KeyError when its bundled driver is unknown)."""
    name = f"cuda_{toolkit.version}_{RUNFILE_DRIVERS[toolkit.version]}_linux.run"
    return join_url(desired.sources.cuda_runfile_base, toolkit.version, "local_installers", name)


def _install(desired: HostState, toolkit: CudaToolkit) -> list[Command]:
    if toolkit.source == "apt":
        return [apt_install(f"{toolkit_package(toolkit.release)}={toolkit.version}-1")]
    url = runfile_url(desired, toolkit)
    flags = ["--silent", "--toolkit", f"--toolkitpath={toolkit.path}", "--no-opengl-libs"]
    run = Command(command=shell.command("sh", cached_path(url), *flags), timeout_s=3600.0)
    return [*download(url, toolkit.runfile_sha256), run]


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
    suffix = "-" + toolkit.release.replace(".", "-")
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
        actions=(apt_get("install", "--reinstall", "--allow-change-held-packages", *names),),
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
