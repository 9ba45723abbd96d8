"""cuDNN builds, one per CUDA major, as the notes install a matching cuDNN per major."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_core.core_schema import ValidationInfo

from provision.models.base import StateModel
from provision.models.versions import CudnnVersion, Sha256


class CudnnBuild(StateModel):
    """The cuDNN build for the toolkits of one CUDA major."""

    version: CudnnVersion = Field(description="cuDNN version, e.g. 8.9.7.29 (four numbers).")
    source: Literal["apt", "tarball"] = Field(
        "apt",
        description="NVIDIA's apt packages (libcudnnN=<version>-1+cudaX.Y) or the redist "
        "tarball unpacked into each toolkit of this major.",
    )
    tarball_sha256: Sha256 | None = Field(
        None, description="sha256 of the tarball, checked before unpacking (source: tarball only)."
    )

    @field_validator("tarball_sha256")
    @classmethod
    def _only_for_tarballs(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("source") == "apt":
            raise ValueError("a tarball sha256 is given but the cuDNN source is 'apt'")
        return value


def integer_keys_as_text(value: Any) -> Any:
    """Let `11:` (a YAML integer key) name CUDA major 11, as users write it unquoted."""
    if isinstance(value, Mapping):
        return {
            str(key) if isinstance(key, int) and not isinstance(key, bool) else key: item
            for key, item in value.items()
        }
    return value


def check_majors_covered(
    builds: Mapping[str, CudnnBuild], toolkit_majors: list[str]
) -> Mapping[str, CudnnBuild]:
    """Every toolkit's major needs a build, and every build needs a toolkit to go into."""
    if not builds:
        return builds
    missing = sorted(set(toolkit_majors) - set(builds), key=int)
    if missing:
        raise ValueError(
            f"no cuDNN build for CUDA {missing[0]}, whose toolkit is declared "
            "(cuDNN must match each CUDA major)"
        )
    orphans = sorted(set(builds) - set(toolkit_majors), key=int)
    if orphans:
        raise ValueError(
            f"a cuDNN build for CUDA {orphans[0]} is declared but no CUDA {orphans[0]} toolkit"
        )
    return builds
