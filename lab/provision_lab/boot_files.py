"""Writes one boot's simulated kernel files into a per-boot folder under the lab dir.

The host's init binds these regular files over procfs paths (and /sys) in its own
mount namespace, so they exist only inside that host and only for that boot.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

from provision_lab.kernel_simulation import (
    GPU_BUS_ID,
    BootState,
    render_gpu_information,
    render_nvidia_version,
    render_proc_modules,
    render_sys_module_files,
)

KEPT_BOOTS = 2


def write_boot_folder(folder: Path, state: BootState) -> None:
    """Create `folder` with boot_id, modules, driver/ (for /proc/driver) and sys/."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "driver").mkdir(parents=True)
    (folder / "sys").mkdir()
    (folder / "boot_id").write_text(state.boot_id + "\n")
    (folder / "modules").write_text(render_proc_modules(state))
    if state.nvidia_version is not None:
        nvidia = folder / "driver" / "nvidia"
        (nvidia / "gpus" / GPU_BUS_ID).mkdir(parents=True)
        (nvidia / "version").write_text(render_nvidia_version(state.nvidia_version))
        (nvidia / "gpus" / GPU_BUS_ID / "information").write_text(render_gpu_information(state))
    for relative, text in render_sys_module_files(state).items():
        path = folder / "sys" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (folder / "state.json").write_text(json.dumps(asdict(state), indent=2) + "\n")


def prune_boot_folders(boots: Path, keep: int = KEPT_BOOTS) -> None:
    """Delete all but the newest `keep` boot folders (named by boot number)."""
    numbered = sorted((int(path.name), path) for path in boots.iterdir() if path.name.isdigit())
    for _, path in numbered[:-keep]:
        shutil.rmtree(path, ignore_errors=True)
