"""conda and its envs, read from files only: `conda-meta/NAME-VERSION-BUILD.json` names
for conda packages and `torch-*.dist-info/METADATA` for a pip-installed torch. Never
starts conda or Python (each costs a fraction of a second to seconds)."""

from __future__ import annotations

from provision.facts.base import FactModel
from provision.facts.sections import Sections


class CondaPackage(FactModel):
    """A conda package as its conda-meta record's file name tells it."""

    name: str
    version: str
    build: str


class CondaEnv(FactModel):
    """One env (`base` is the prefix itself)."""

    name: str
    path: str
    python: str | None
    pytorch: CondaPackage | None
    pytorch_cuda: str | None
    cudatoolkit: str | None
    pip_torch: str | None


class CondaFacts(FactModel):
    """The conda install at the desired prefix."""

    prefix: str
    exists: bool
    conda_executable: bool
    version: str | None
    envs: tuple[CondaEnv, ...]


def parse_conda_meta_name(file_name: str) -> CondaPackage | None:
    """`pytorch-cuda-11.8-h7e8668a_5.json` -> pytorch-cuda 11.8 h7e8668a_5 (conda
    versions and build strings never contain a dash, names may)."""
    if not file_name.endswith(".json"):
        return None
    parts = file_name.removesuffix(".json").rsplit("-", 2)
    if len(parts) != 3 or not all(parts):
        return None
    return CondaPackage(name=parts[0], version=parts[1], build=parts[2])


def parse_dist_info_metadata(text: str) -> tuple[str | None, str | None]:
    """(Name, Version) from the header of a dist-info `METADATA` file."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, separator, value = line.partition(":")
        if separator and key in ("Name", "Version"):
            values.setdefault(key, value.strip())
    return values.get("Name"), values.get("Version")


def _version_key(version: str) -> tuple[int, ...]:
    """`3.11` as (3, 11), so versions compare as numbers (3.11 after 3.9), not as text."""
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def _env(name: str, path: str, text: str, pip_sections: list[str]) -> CondaEnv:
    packages: dict[str, CondaPackage] = {}
    python_libraries = []
    for line in text.splitlines():
        kind, _, value = line.partition(" ")
        package = parse_conda_meta_name(value) if kind == "meta" else None
        if package:
            packages[package.name] = package
        elif kind == "lib" and value.startswith("python"):
            python_libraries.append(value.removeprefix("python"))
    pip_torch = None
    for metadata in pip_sections:
        dist_name, version = parse_dist_info_metadata(metadata)
        if dist_name and dist_name.lower() == "torch":
            pip_torch = version
    python = packages["python"].version if "python" in packages else None
    return CondaEnv(
        name=name,
        path=path,
        python=python or max(python_libraries, key=_version_key, default=None),
        pytorch=packages.get("pytorch"),
        pytorch_cuda=packages["pytorch-cuda"].version if "pytorch-cuda" in packages else None,
        cudatoolkit=packages["cudatoolkit"].version if "cudatoolkit" in packages else None,
        pip_torch=pip_torch,
    )


def parse_conda(sections: Sections) -> CondaFacts | None:
    """The conda facts of one run (None when no conda prefix was asked about)."""
    prefix = sections.first("conda-prefix")
    if prefix is None:
        return None
    envs = []
    version = None
    for section in sections.all("conda-env"):
        name, _, path = section.argument.partition(" ")
        pips = [s.text for s in sections.all("pip-dist") if s.argument.partition(" ")[0] == name]
        envs.append(_env(name, path, section.text, pips))
        if name == "base":
            version = next(
                (
                    package.version
                    for line in section.lines()
                    for package in [parse_conda_meta_name(line.partition(" ")[2])]
                    if package and package.name == "conda"
                ),
                None,
            )
    lines = prefix.lines()
    return CondaFacts(
        prefix=prefix.argument,
        exists="exists" in lines,
        conda_executable="conda" in lines,
        version=version,
        envs=tuple(envs),
    )
