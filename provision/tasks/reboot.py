"""Whether the host must reboot before the NVIDIA driver can work.

A reboot is needed when a change of this plan only takes effect at boot (a new driver,
a purge, the nouveau blacklist while nouveau is loaded), when nouveau is still loaded
although blacklisted, when the loaded module differs from the installed one (nvidia-smi's
"Driver/library version mismatch"), when a driver is installed but none is loaded on
a host that has an NVIDIA GPU (without one, no reboot would ever load it), or when an
earlier run left a reboot pending in the current boot (its marker says why).
"""

from __future__ import annotations

from collections.abc import Sequence

from provision.facts.model import Facts
from provision.models import HostState
from provision.plan import Change, Reboot


def has_nvidia_gpu(facts: Facts) -> bool:
    """Whether the host shows an NVIDIA GPU (on PCI, or through a loaded driver)."""
    return bool(facts.nvidia.gpus) or any(device.is_gpu for device in facts.nvidia.pci_devices)


def reboot_reasons(desired: HostState, facts: Facts, earlier: Sequence[Change] = ()) -> list[str]:
    """Why the host must reboot, given the facts and the changes planned before this point."""
    driver = desired.driver
    if driver is None:
        return []
    reasons = [change.reason for change in earlier if change.needs_reboot]
    nvidia = facts.nvidia
    if driver.blacklist_nouveau and facts.kernel.nouveau.loaded and not reasons:
        reasons.append("nouveau is loaded")
    if nvidia.mismatch:
        reasons.append(
            f"loaded driver {nvidia.loaded_module_version} differs from the installed "
            f"{nvidia.installed_module_version or nvidia.userspace_version}"
        )
    installed = nvidia.installed_module_version or nvidia.userspace_version
    if installed and nvidia.loaded_module_version is None and has_nvidia_gpu(facts):
        reasons.append(f"driver {installed} is installed but not loaded")
    if facts.provision.reboot_pending and not reasons:
        reasons.append(f"an earlier run left a reboot pending: {facts.provision.reboot_pending}")
    return list(dict.fromkeys(reasons))


def reboot_change(reasons: Sequence[str]) -> Change:
    """The reboot, as a change whose one action is the reboot."""
    reason = "; ".join(reasons)
    return Change(
        task="reboot",
        resource="host",
        before="reboot pending",
        after="rebooted",
        reason=reason,
        needs_reboot=True,
        actions=(Reboot(reason=reason),),
    )


def plan_reboot(desired: HostState, facts: Facts, earlier: Sequence[Change] = ()) -> list[Change]:
    """A reboot change when `reboot_reasons` finds any (the runner applies the policy)."""
    reasons = reboot_reasons(desired, facts, earlier)
    return [reboot_change(reasons)] if reasons else []
