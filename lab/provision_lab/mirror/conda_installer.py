"""The Miniconda-style installer stand-in: a shell installer with the conda stand-in appended.

Mirrored as `conda/miniconda/Miniconda3-latest-Linux-x86_64.sh` and under its versioned name,
as on Anaconda's repository.
"""

from __future__ import annotations

from provision_lab.mirror.catalog import CONDA_VERSION, MINICONDA_PYTHON_TAG
from provision_lab.mirror.file_tree import render_asset

MARKER = "__LAB_PAYLOAD_BELOW__"


def versioned_installer_name() -> str:
    """`Miniconda3-py311_24.9.2-0-Linux-x86_64.sh`, Anaconda's versioned file name."""
    return f"Miniconda3-{MINICONDA_PYTHON_TAG}_{CONDA_VERSION}-0-Linux-x86_64.sh"


LATEST_INSTALLER_NAME = "Miniconda3-latest-Linux-x86_64.sh"


def miniconda_installer() -> bytes:
    """The installer script followed by the conda stand-in program."""
    release = f"{MINICONDA_PYTHON_TAG}_{CONDA_VERSION}-0"
    script = render_asset("miniconda-installer.sh", {"MINICONDA_RELEASE": release})
    program = render_asset("conda.py", {"CONDA_VERSION": CONDA_VERSION})
    return (script + f"{MARKER}\n" + program).encode()
