"""`HostState`: everything a playbook says one host must look like."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core.core_schema import ValidationInfo

from provision.models.base import StateModel
from provision.models.conda import Conda
from provision.models.cuda import CudaToolkit, check_unique_releases, resolve_active_release
from provision.models.cudnn import CudnnBuild, check_majors_covered, integer_keys_as_text
from provision.models.driver import Driver
from provision.models.libtorch import Libtorch
from provision.models.sources import Sources
from provision.models.versions import CudaMajor, CudaRelease, UserName, check_separate_folders


class ShellProfile(StateModel):
    """Which users' ~/.bashrc get the managed block that activates the active CUDA."""

    users: tuple[UserName, ...] = Field(
        (),
        description="Users whose ~/.bashrc gets the managed CUDA block (root included if named).",
    )


class Verify(StateModel):
    """Settings of `provision verify`."""

    require_gpu: bool = Field(
        True,
        description="Fail verification when no GPU answers; false lets a CPU-only host pass "
        "with the CUDA checks skipped (and said so).",
    )


class HostState(StateModel):
    """The desired state of one host. Every section is optional except that CUDA needs a driver."""

    driver: Driver | None = Field(None, description="The NVIDIA driver.")
    cuda_toolkits: tuple[CudaToolkit, ...] = Field(
        (), description="CUDA toolkits installed side by side, one per X.Y."
    )
    active_cuda: CudaRelease | None = Field(
        None,
        validate_default=True,
        description="The toolkit /usr/local/cuda and the shell block point at, as X.Y or X.Y.Z; "
        "optional when one toolkit is declared. Stored as X.Y.",
    )
    cudnn: dict[CudaMajor, CudnnBuild] = Field(
        default_factory=dict,
        description="cuDNN per CUDA major, keyed by the major ('11', '12'); when given, every "
        "declared toolkit's major needs an entry.",
    )
    conda: Conda | None = Field(None, description="Conda and its envs.")
    libtorch: Libtorch | None = Field(None, description="libtorch for C++ builds.")
    shell_profile: ShellProfile = Field(
        default_factory=ShellProfile, description="Users who get the managed CUDA shell block."
    )
    sources: Sources = Field(default_factory=Sources, description="Download locations.")
    reboot: Literal["auto", "never"] = Field(
        "auto",
        description="auto: reboot when the driver or nouveau needs it, then continue; never: "
        "leave the host reported reboot-pending.",
    )
    prune: bool = Field(
        False,
        description="Remove toolkits, cuDNN builds and envs found on the host but not declared "
        "(otherwise they are kept and reported as unmanaged).",
    )
    verify: Verify = Field(
        default_factory=Verify, description="What `provision verify` requires of this host."
    )

    @field_validator("cuda_toolkits")
    @classmethod
    def _toolkits(
        cls, toolkits: tuple[CudaToolkit, ...], info: ValidationInfo
    ) -> tuple[CudaToolkit, ...]:
        if toolkits and "driver" in info.data and info.data["driver"] is None:
            raise ValueError("CUDA toolkits are declared but no driver: add a driver section")
        return check_unique_releases(toolkits)

    @field_validator("active_cuda")
    @classmethod
    def _active(cls, active: str | None, info: ValidationInfo) -> str | None:
        if "cuda_toolkits" not in info.data:
            return active
        return resolve_active_release(active, info.data["cuda_toolkits"])

    @field_validator("cudnn", mode="before")
    @classmethod
    def _major_keys(cls, value: object) -> object:
        return integer_keys_as_text(value)

    @field_validator("cudnn")
    @classmethod
    def _cudnn_majors(
        cls, builds: dict[str, CudnnBuild], info: ValidationInfo
    ) -> Mapping[str, CudnnBuild]:
        if "cuda_toolkits" not in info.data:
            return builds
        return check_majors_covered(builds, [t.major for t in info.data["cuda_toolkits"]])

    @model_validator(mode="after")
    def _separate_install_folders(self) -> HostState:
        folders = [
            (f"cuda_toolkits[{index}].path", toolkit.path)
            for index, toolkit in enumerate(self.cuda_toolkits)
        ]
        if self.conda is not None:
            folders.append(("conda.prefix", self.conda.prefix))
        if self.libtorch is not None:
            folders.append(("libtorch.path", self.libtorch.path))
        check_separate_folders(folders)
        return self

    def active_toolkit(self) -> CudaToolkit | None:
        """The toolkit `active_cuda` names, if any."""
        for toolkit in self.cuda_toolkits:
            if toolkit.release == self.active_cuda:
                return toolkit
        return None
