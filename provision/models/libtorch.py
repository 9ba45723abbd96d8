"""libtorch, PyTorch's C++ distribution, unpacked for CMake builds."""

from __future__ import annotations

from pydantic import Field

from provision.models.base import StateModel
from provision.models.versions import (
    INSTALL_FOLDER_RULE,
    AbsolutePath,
    CudaVariant,
    Sha256,
    TorchVersion,
)


class Libtorch(StateModel):
    """A libtorch archive unpacked into one folder."""

    version: TorchVersion = Field(description="libtorch release, e.g. 2.5.1.")
    variant: CudaVariant = Field(description="Build variant: cuXYZ (cu118, cu126, ...) or cpu.")
    cxx11_abi: bool = Field(
        True,
        description="Use the cxx11-ABI build (the notes' choice; the only one of recent releases).",
    )
    path: AbsolutePath = Field(
        "/opt/libtorch",
        description="Folder holding include/, lib/, share/cmake/Torch and build-version; "
        f"{INSTALL_FOLDER_RULE}.",
    )
    sha256: Sha256 | None = Field(None, description="sha256 of the zip archive, checked first.")
