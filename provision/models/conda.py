"""Conda and its envs, each with the PyTorch build it must hold."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from provision.models.base import StateModel
from provision.models.versions import (
    INSTALL_FOLDER_RULE,
    AbsolutePath,
    CudaVariant,
    EnvName,
    PythonVersion,
    Sha256,
    TorchVersion,
)


class PyTorchBuild(StateModel):
    """A PyTorch release, its build variant, and where it is installed from."""

    version: TorchVersion = Field(description="PyTorch release, e.g. 2.5.1.")
    variant: CudaVariant = Field(
        description="Build variant: cuXYZ for CUDA X.Y (cu118, cu121, cu126, ...) or cpu."
    )
    route: Literal["pip", "conda"] = Field(
        "pip",
        description="pip: PyTorch's per-variant wheel index; conda: the pytorch and nvidia "
        "channels with pytorch-cuda (only up to PyTorch 2.5.1).",
    )


class CondaEnv(StateModel):
    """One conda env."""

    name: EnvName = Field(description="Env name (letters, digits, ._-; not 'base').")
    python: PythonVersion = Field(description="Python version, e.g. '3.11' (quote it in YAML).")
    pytorch: PyTorchBuild | None = Field(None, description="The PyTorch build the env holds.")


class Conda(StateModel):
    """A conda installation and its envs."""

    installer: Literal["miniforge", "miniconda"] = Field(
        "miniforge",
        description="Which installer: Miniforge (conda-forge by default) or Miniconda "
        "(Anaconda's defaults channel, whose terms of service apply).",
    )
    prefix: AbsolutePath = Field(
        "/opt/conda", description=f"Install prefix of conda: {INSTALL_FOLDER_RULE}."
    )
    installer_sha256: Sha256 | None = Field(
        None, description="sha256 of the installer script, checked before it runs."
    )
    envs: tuple[CondaEnv, ...] = Field((), description="The envs to create.")

    @field_validator("envs")
    @classmethod
    def _unique_names(cls, envs: tuple[CondaEnv, ...]) -> tuple[CondaEnv, ...]:
        names = [env.name for env in envs]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"env '{name}' is declared twice")
        return envs
