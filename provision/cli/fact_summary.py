"""A host's facts as short `(topic, value)` rows for a human-readable table."""

from __future__ import annotations

from provision.facts.model import Facts
from provision.facts.nvidia import NvidiaFacts


def _yes_no(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    return "unknown" if value is None else (yes if value else no)


def _nouveau(facts: Facts) -> str:
    nouveau = facts.kernel.nouveau
    parts = [f"loaded: {_yes_no(nouveau.loaded)}", f"blacklisted: {_yes_no(nouveau.blacklisted)}"]
    if nouveau.blacklisted:
        parts.append(f"initramfs: {_yes_no(nouveau.initramfs_fresh, 'up to date', 'stale')}")
    return ", ".join(parts)


def _driver(nvidia: NvidiaFacts) -> str:
    if not nvidia.packages and not nvidia.module_files and not nvidia.loaded_module_version:
        return "none"
    parts = []
    if nvidia.driver_branch:
        parts.append(f"packages {nvidia.package_version or '?'} (branch {nvidia.driver_branch})")
    parts.append(f"module {nvidia.installed_module_version or 'none'}")
    parts.append(f"loaded {nvidia.loaded_module_version or 'none'}")
    if nvidia.mismatch:
        parts.append("MISMATCH (reboot needed)")
    return ", ".join(parts)


def _gpus(nvidia: NvidiaFacts) -> str:
    if nvidia.gpus:
        return "; ".join(f"{gpu.name} ({gpu.bus_id})" for gpu in nvidia.gpus)
    pci = [device for device in nvidia.pci_devices if device.is_gpu]
    if pci:
        return "; ".join(f"PCI {d.bus_id} device {d.device_id}" for d in pci) + " (no driver)"
    return "none"


def _cuda(facts: Facts) -> str:
    cuda = facts.cuda
    if not cuda.toolkits:
        return "none"
    names = []
    for toolkit in cuda.toolkits:
        active = " (active)" if toolkit.path == cuda.active_path else ""
        cudnn = f" + cuDNN {toolkit.cudnn.version}" if toolkit.cudnn else ""
        names.append(f"{toolkit.release or toolkit.path}{cudnn}{active}")
    return ", ".join(names)


def _shell(facts: Facts) -> str:
    parts = []
    for user in facts.shell:
        blocks = [f.block for f in user.files if f.block is not None]
        unmanaged = sum(len(f.unmanaged_exports) for f in user.files)
        state = f"CUDA {blocks[0].cuda_release or blocks[0].cuda_home}" if blocks else "no block"
        if user.home is None:
            state = "no such user"
        warning = f", {unmanaged} unmanaged CUDA export(s)" if unmanaged else ""
        parts.append(f"{user.user}: {state}{warning}")
    return "; ".join(parts) or "-"


def _conda(facts: Facts) -> str:
    conda = facts.conda
    if conda is None:
        return "-"
    if not conda.exists:
        return f"none at {conda.prefix}"
    envs = []
    for env in conda.envs:
        torch = env.pytorch.version if env.pytorch else env.pip_torch
        extra = f" torch {torch}" if torch else ""
        envs.append(f"{env.name} (python {env.python or '?'}{extra})")
    return f"{conda.version or '?'} at {conda.prefix}: " + ", ".join(envs)


def _libtorch(facts: Facts) -> str:
    libtorch = facts.libtorch
    if libtorch is None:
        return "-"
    if not libtorch.exists:
        return f"none at {libtorch.path}"
    return f"{libtorch.build_version or 'unknown build'} at {libtorch.path}"


def _apt(facts: Facts) -> str:
    apt = facts.apt
    lock = (
        "held by " + ", ".join(f"{h.command} ({h.pid})" for h in apt.lock_holders)
        if apt.lock_held
        else "free"
    )
    held = ", ".join(apt.held) or "none"
    return f"dpkg lock {lock}; held packages: {held}"


def _files(facts: Facts) -> list[tuple[str, str]]:
    rows = []
    for item in facts.files:
        if item.state != "file":
            rows.append((item.path, item.state))
        else:
            digest = f"sha256 {item.sha256[:12]}" if item.sha256 else "too large to hash"
            rows.append((item.path, f"{item.mode} {item.owner}:{item.group}, {digest}"))
    return rows


def summary_rows(facts: Facts) -> list[tuple[str, str]]:
    """What a person checks first about a GPU host, one row per topic."""
    kernel = facts.kernel
    os_name = facts.os.pretty_name or " ".join(filter(None, [facts.os.id, facts.os.version_id]))
    return [
        ("os", os_name or "unknown"),
        ("kernel", f"{kernel.release or '?'} {kernel.machine or ''}".strip()),
        ("boot id", kernel.boot_id or "unknown"),
        ("secure boot", _yes_no(kernel.secure_boot, "enabled", "disabled")),
        ("nouveau", _nouveau(facts)),
        ("driver", _driver(facts.nvidia)),
        ("gpus", _gpus(facts.nvidia)),
        ("cuda", _cuda(facts)),
        ("cudnn (system)", ", ".join(i.version for i in facts.cudnn.system) or "none"),
        ("shell", _shell(facts)),
        ("conda", _conda(facts)),
        ("libtorch", _libtorch(facts)),
        ("apt", _apt(facts)),
        *_files(facts),
    ]
