"""`reconcile`: desired state + facts -> the host's plan. Pure: no I/O, no clock.

The changes follow the dependencies of the original notes: nouveau blacklist -> apt
repository (NVIDIA's, or the distribution's archive components) -> purge of conflicting
drivers -> driver -> reboot -> CUDA toolkits -> cuDNN -> active CUDA (symlink, shell
blocks) -> conda -> envs -> PyTorch -> libtorch. A host is refused, before anything
changes, when its OS or architecture is not supported or its GPUs cannot run the desired
driver and CUDA. A held dpkg lock does not refuse the host:
every apt command waits for the lock (up to `DPKG_LOCK_TIMEOUT_S`) and the plan warns.
"""

from __future__ import annotations

from collections.abc import Sequence

from provision.artifacts import unverified_downloads
from provision.compat import Finding, check_gpus
from provision.facts.model import Facts
from provision.facts.script import FactsRequest
from provision.models import HostState
from provision.plan import Change, Command, Handler, Plan
from provision.resources.apt_repository import plan_apt_repository, repository_files
from provision.resources.conda import (
    plan_conda,
    plan_conda_envs,
    plan_prune_envs,
    unmanaged_envs,
    unmanaged_prefix,
)
from provision.resources.cuda import (
    cuda_warnings,
    plan_active_cuda,
    plan_cuda,
    unavailable_toolkit_reason,
    unknown_runfile_reason,
    unmanaged_toolkits,
)
from provision.resources.cudnn import held_cudnn_reason, plan_cudnn, unmanaged_cudnn
from provision.resources.distro_archive import (
    distro_archive_files,
    distro_archive_reason,
    plan_distro_archive,
)
from provision.resources.driver import (
    driver_files,
    driver_packaging_reason,
    driver_warnings,
    held_driver_reason,
    plan_driver,
    plan_purge,
)
from provision.resources.libtorch import plan_libtorch, unmanaged_libtorch
from provision.resources.nouveau import BLACKLIST_PATH, plan_nouveau
from provision.resources.pytorch import plan_pytorch
from provision.resources.shell_profile import (
    plan_shell_profile,
    shell_profile_warnings,
    unsafe_profile_reason,
)
from provision.resources.source_logins import LOGIN_FILES, plan_source_logins
from provision.tasks.commands import DPKG_LOCK_TIMEOUT_S
from provision.tasks.distro import unsupported_os_reason
from provision.tasks.handlers import HANDLERS
from provision.tasks.reboot import plan_reboot, reboot_change


def facts_request(desired: HostState) -> FactsRequest:
    """What the fact script must look at for `reconcile` to plan `desired` exactly: the
    users' shell files, the conda prefix, the libtorch folder and the managed files."""
    files = []
    if desired.driver is not None and desired.driver.blacklist_nouveau:
        files.append(BLACKLIST_PATH)
    if desired.driver is not None or desired.cuda_toolkits or desired.cudnn:
        files += repository_files(desired)
    files += driver_files(desired) + distro_archive_files(desired)
    return FactsRequest(
        users=desired.shell_profile.users,
        conda_prefix=desired.conda.prefix if desired.conda else None,
        libtorch_path=desired.libtorch.path if desired.libtorch else None,
        files=tuple(files),
        secret_files=LOGIN_FILES,
    )


def gpu_findings(desired: HostState, facts: Facts) -> list[Finding]:
    """The compatibility findings for the GPUs the loaded driver reports."""
    return check_gpus(desired, [gpu.name for gpu in facts.nvidia.gpus if gpu.name])


def refusal(
    desired: HostState, facts: Facts, findings: Sequence[Finding] | None = None
) -> str | None:
    """Why the host must not be touched at all, or None (`findings`: `gpu_findings`,
    computed here when not given)."""
    unsupported = unsupported_os_reason(facts)
    if unsupported is not None:
        return unsupported
    if findings is None:
        findings = gpu_findings(desired, facts)
    errors = [finding for finding in findings if finding.level == "error"]
    if errors:
        return "; ".join(finding.message for finding in errors)
    packaging = (
        driver_packaging_reason(desired, facts)
        or distro_archive_reason(desired, facts)
        or held_driver_reason(desired, facts)
        or held_cudnn_reason(desired, facts)
    )
    if packaging is not None:
        return packaging
    unsafe_profile = unsafe_profile_reason(desired, facts)
    if unsafe_profile is not None:
        return unsafe_profile
    return unavailable_toolkit_reason(desired, facts) or unknown_runfile_reason(desired)


def _warnings(
    desired: HostState, facts: Facts, findings: Sequence[Finding], changes: Sequence[Change]
) -> list[str]:
    warnings = [finding.message for finding in findings if finding.level == "warning"]
    commands = [
        action.command
        for change in changes
        for action in change.actions
        if isinstance(action, Command)
    ]
    warnings += unverified_downloads(desired, commands)
    warnings += driver_warnings(desired, facts)
    for holder in facts.apt.lock_holders:
        warnings.append(
            f"{holder.path} is held by process {holder.pid} ({holder.command}): apt commands "
            f"wait for it up to {DPKG_LOCK_TIMEOUT_S} s"
        )
    warnings += cuda_warnings(desired, facts)
    return warnings + shell_profile_warnings(desired, facts)


def _driver_stage(desired: HostState, facts: Facts) -> list[Change]:
    """nouveau, repository, purge, driver and reboot, with a first reboot for a runfile
    driver while nouveau is loaded (NVIDIA's installer refuses to run beside it). The
    repository comes before the purge: a mirror that cannot be read fails the host while
    its old driver is still installed."""
    changes = plan_source_logins(desired, facts) + plan_nouveau(desired, facts)
    changes += plan_apt_repository(desired, facts) + plan_distro_archive(desired, facts)
    changes += plan_purge(desired, facts)
    driver_changes = plan_driver(desired, facts)
    runfile = desired.driver is not None and desired.driver.source == "runfile"
    if runfile and driver_changes and facts.kernel.nouveau.loaded:
        changes.append(
            reboot_change(["nouveau is loaded, and NVIDIA's installer refuses to run beside it"])
        )
        return changes + driver_changes + plan_reboot(desired, facts, driver_changes)
    changes += driver_changes
    return changes + plan_reboot(desired, facts, changes)


def _handlers(changes: list[Change]) -> tuple[Handler, ...]:
    names: list[str] = []
    for change in changes:
        names += [name for name in change.notifies if name not in names]
    return tuple(HANDLERS[name] for name in names)


def reconcile(desired: HostState, facts: Facts, *, host: str = "") -> Plan:
    """The plan that takes the host from `facts` to `desired` (empty when converged)."""
    findings = gpu_findings(desired, facts)
    reason = refusal(desired, facts, findings)
    if reason is not None:
        return Plan(host=host, refused=reason)
    changes = _driver_stage(desired, facts)
    for task in (
        plan_cuda,
        plan_cudnn,
        plan_active_cuda,
        plan_shell_profile,
        plan_conda,
        plan_conda_envs,
        plan_prune_envs,
        plan_pytorch,
        plan_libtorch,
    ):
        changes += task(desired, facts)
    left_alone = unmanaged_prefix(desired, facts) + unmanaged_libtorch(desired, facts)
    unmanaged = (
        unmanaged_toolkits(desired, facts)
        + unmanaged_cudnn(desired, facts)
        + unmanaged_envs(desired, facts)
        + left_alone
    )
    return Plan(
        host=host,
        changes=tuple(changes),
        handlers=_handlers(changes),
        unmanaged=tuple(unmanaged),
        warnings=tuple(
            _warnings(desired, facts, findings, changes)
            + [f"{finding.resource}: {finding.detail}" for finding in left_alone]
        ),
    )
