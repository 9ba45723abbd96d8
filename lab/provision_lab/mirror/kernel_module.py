"""Builds the stand-in `nvidia.ko`: an ELF object whose `.modinfo` names the driver version.

Compiled with the control node's gcc at mirror build time, so `modinfo -F version` on a lab
host reads the version as it would from the real module.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from provision.errors import EnvironmentNotSupportedError
from provision_lab.mirror.file_tree import ASSETS


def build_kernel_module(version: str) -> bytes:
    """The module's bytes for driver `version` (an `x.y[.z]` string, checked)."""
    if not all(part.isdigit() for part in version.split(".")):
        raise ValueError(f"driver version {version!r} is not dotted digits")
    with tempfile.TemporaryDirectory(prefix="lab-nvidia-ko-") as scratch:
        output = Path(scratch) / "nvidia.ko"
        command = [
            "gcc",
            "-c",
            "-O2",
            "-fno-asynchronous-unwind-tables",
            f'-DNVIDIA_VERSION="{version}"',
            str(ASSETS / "nvidia-module.c"),
            "-o",
            str(output),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True)
        except FileNotFoundError as error:
            raise EnvironmentNotSupportedError(
                "building the lab mirror needs gcc on the control node (apt-get install gcc)"
            ) from error
        return output.read_bytes()
