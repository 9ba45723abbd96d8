"""CUDA toolkits, installed side by side under /usr/local/cuda-X.Y."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core.core_schema import ValidationInfo

from provision.cuda_layout import toolkit_folder
from provision.models.base import StateModel
from provision.models.versions import (
    CUDA_VERSION_PATTERN,
    INSTALL_FOLDER_RULE,
    AbsolutePath,
    CudaVersion,
    Sha256,
    cuda_release,
)


class CudaToolkit(StateModel):
    """One CUDA toolkit; several may be installed, each in its own folder."""

    version: CudaVersion = Field(
        description="Full toolkit version, e.g. 11.8.0 or 12.1.1 (the runfile's and "
        "nvcc's version)."
    )
    source: Literal["apt", "runfile"] = Field(
        "apt",
        description="Install from NVIDIA's apt repository (cuda-toolkit-X-Y) or with the "
        ".run installer (--toolkit --toolkitpath).",
    )
    path: AbsolutePath = Field(
        description="Install folder; defaults to /usr/local/cuda-X.Y for version X.Y.Z. "
        f"It must be {INSTALL_FOLDER_RULE}."
    )
    runfile_sha256: Sha256 | None = Field(
        None,
        description="sha256 of the toolkit .run installer, checked before it runs "
        "(source: runfile only).",
    )
    program_check: bool = Field(
        True,
        description="verify compiles and links a small CUDA program (a vector add) with "
        "this toolkit's nvcc, and runs it where a GPU is usable; false shows both checks "
        "as skipped (for a toolkit whose compiler cannot compile, as the sandbox lab's "
        "stand-ins).",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_path(cls, data: Any) -> Any:
        if isinstance(data, dict) and "path" not in data:
            version = data.get("version")
            if isinstance(version, str) and re.fullmatch(CUDA_VERSION_PATTERN, version):
                return {**data, "path": toolkit_folder(cuda_release(version))}
            # The version's own error rejects the toolkit; don't add a path error to it.
            return {**data, "path": "/usr/local/cuda-X.Y"}
        return data

    @field_validator("runfile_sha256")
    @classmethod
    def _only_for_runfiles(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("source") == "apt":
            raise ValueError("a runfile sha256 is given but the toolkit's source is 'apt'")
        return value

    @property
    def release(self) -> str:
        """The toolkit's `X.Y`, its identity on a host (one toolkit per X.Y)."""
        return cuda_release(self.version)

    @property
    def major(self) -> str:
        """The toolkit's CUDA major version, e.g. `12`."""
        return self.version.split(".")[0]


def check_unique_releases(toolkits: tuple[CudaToolkit, ...]) -> tuple[CudaToolkit, ...]:
    """Reject two toolkits of one X.Y: they would share /usr/local/cuda-X.Y."""
    seen: dict[str, str] = {}
    for toolkit in toolkits:
        if toolkit.release in seen:
            raise ValueError(
                f"CUDA {toolkit.release} is declared twice ({seen[toolkit.release]} and "
                f"{toolkit.version}); one toolkit per X.Y can be installed"
            )
        seen[toolkit.release] = toolkit.version
    paths = [toolkit.path for toolkit in toolkits]
    duplicates = sorted({path for path in paths if paths.count(path) > 1})
    if duplicates:
        raise ValueError(f"two toolkits share the install path {duplicates[0]}")
    return toolkits


def resolve_active_release(active: str | None, toolkits: tuple[CudaToolkit, ...]) -> str | None:
    """The X.Y of the active toolkit: the one named, or the only one declared."""
    releases = [toolkit.release for toolkit in toolkits]
    if active is None:
        if len(toolkits) > 1:
            raise ValueError(
                "required when several CUDA toolkits are declared: one of " + ", ".join(releases)
            )
        return releases[0] if releases else None
    for toolkit in toolkits:
        if active in (toolkit.release, toolkit.version):
            return toolkit.release
    if not toolkits:
        raise ValueError(f"CUDA {active} is active but no CUDA toolkit is declared")
    raise ValueError(
        f"CUDA {active} is not one of the declared toolkits "
        f"({', '.join(toolkit.version for toolkit in toolkits)})"
    )
