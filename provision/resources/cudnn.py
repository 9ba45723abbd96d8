"""cuDNN per CUDA major: NVIDIA's apt packages, or the redist tarball in each toolkit.

apt, cuDNN 8: `libcudnn8` and `libcudnn8-dev` at `<version>-1+cuda<major>.*` (the
`+cudaX.Y` build of that major; one major at a time, both builds share the name), held so
an upgrade cannot swap in the other major's build. cuDNN 9: `libcudnn9-cuda-<major>` and
`libcudnn9-dev-cuda-<major>` at `<version>-1`. Tarball: unpacked and copied into
`include/` and `lib64/` of every declared toolkit of that major, as NVIDIA's guide does.
"""

from __future__ import annotations

from provision import shell
from provision.artifacts import checksum
from provision.check import Check
from provision.facts.model import Facts
from provision.facts.provision_state import DOWNLOADS_DIR
from provision.models import CudnnBuild, HostState
from provision.models.cuda import CudaToolkit
from provision.packaging.cuda_names import cudnn_packages
from provision.plan import Change, Command, Unmanaged
from provision.resources.cuda import found_toolkit
from provision.resources.package_holds import foreign_holds, held_reason, own_holds
from provision.tasks.commands import (
    apt_get,
    apt_install,
    cached_path,
    download,
    hold,
    package_name,
    release_holds,
)


def _matches(version: str | None, pattern: str) -> bool:
    if version is None:
        return False
    if pattern.endswith("*"):
        return version.startswith(pattern[:-1])
    return version == pattern


def cudnn_apt_installed(major: str, build: CudnnBuild, facts: Facts) -> bool:
    """Whether both packages are installed at the wanted build."""
    installed = {package_name(package.name): package.version for package in facts.cudnn.packages}
    return all(
        _matches(installed.get(name), pattern)
        for name, pattern in cudnn_packages(major, build.version)
    )


def cudnn_apt_satisfied(major: str, build: CudnnBuild, facts: Facts) -> bool:
    """Whether both packages are installed at the wanted build and held."""
    names = [name for name, _ in cudnn_packages(major, build.version)]
    return cudnn_apt_installed(major, build, facts) and set(names) <= set(facts.apt.held)


def _short(version: str) -> str:
    return ".".join(version.split(".")[:3])


def _apt_change(major: str, build: CudnnBuild, facts: Facts) -> Change | None:
    if cudnn_apt_satisfied(major, build, facts):
        return None
    packages = cudnn_packages(major, build.version)
    names = [name for name, _ in packages]
    if cudnn_apt_installed(major, build, facts):
        return Change(
            task="cudnn",
            resource=f"cuDNN for CUDA {major} ({names[0]})",
            before="not held",
            after="held",
            reason=f"cuDNN {build.version} for CUDA {major} installed but not held",
            actions=(hold(*names),),
        )
    before = next(
        (p.version for p in facts.cudnn.packages if package_name(p.name) == names[0]), None
    )
    own = own_holds(names, facts)
    return Change(
        task="cudnn",
        resource=f"cuDNN for CUDA {major} ({names[0]})",
        before=before,
        after=packages[0][1],
        reason=f"cuDNN {before or 'none'} installed, {build.version} for CUDA {major} wanted",
        actions=(
            *([release_holds(*own)] if own else []),
            apt_install(*(f"{name}={pattern}" for name, pattern in packages)),
            hold(*names),
        ),
    )


def held_cudnn_reason(desired: HostState, facts: Facts) -> str | None:
    """Why the host is refused: a cuDNN package the plan must change (to another build,
    or purged by prune) is held by someone else."""
    touched = [finding.resource for finding in unmanaged_cudnn(desired, facts) if finding.pruned]
    for major, build in desired.cudnn.items():
        if build.source == "apt" and not cudnn_apt_installed(major, build, facts):
            touched += [name for name, _ in cudnn_packages(major, build.version)]
    installed = {package_name(p.name) for p in facts.cudnn.packages}
    blocked = foreign_holds(sorted(set(touched) & installed), facts)
    return held_reason("cuDNN", blocked) if blocked else None


def _tarball_commands(
    desired: HostState, major: str, build: CudnnBuild, path: str
) -> list[Command]:
    url = desired.sources.cudnn_tarball_url(build.version, major)
    staging = f"{DOWNLOADS_DIR}/cudnn-{build.version}-cuda{major}"
    unpack = " && ".join(
        [
            shell.command("rm", "-rf", staging),
            shell.command("mkdir", "-p", staging, f"{path}/include", f"{path}/lib64"),
            shell.command(
                "tar",
                "-xJf",
                cached_path(url),
                "-C",
                staging,
                "--strip-components=1",
                "--no-same-owner",
                "--no-same-permissions",
            ),
            shell.command("cp", "-P", "-R", f"{staging}/include/.", f"{path}/include/"),
            shell.command("cp", "-P", "-R", f"{staging}/lib/.", f"{path}/lib64/"),
            shell.command("rm", "-rf", staging),
            shell.command("ldconfig"),
        ]
    )
    sha256 = checksum(desired, url, build.tarball_sha256)
    return [*download(url, sha256), Command(command=unpack, timeout_s=1800.0)]


def _tarball_changes(
    desired: HostState, major: str, build: CudnnBuild, facts: Facts
) -> list[Change]:
    changes = []
    for toolkit in desired.cuda_toolkits:
        if toolkit.major != major:
            continue
        found = found_toolkit(toolkit.path, facts)
        current = found.cudnn.version if found and found.cudnn else None
        if current == _short(build.version):
            continue
        changes.append(
            Change(
                task="cudnn",
                resource=f"cuDNN in {toolkit.path}",
                before=current,
                after=build.version,
                reason=f"cuDNN {current or 'none'} in {toolkit.path}, {build.version} wanted",
                actions=tuple(_tarball_commands(desired, major, build, toolkit.path)),
            )
        )
    return changes


def unmanaged_cudnn(desired: HostState, facts: Facts) -> list[Unmanaged]:
    """cuDNN packages no declared apt build accounts for, and cuDNN found inside a declared
    toolkit whose CUDA major has no declared build."""
    apt_majors = {major for major, build in desired.cudnn.items() if build.source == "apt"}
    wanted = {name for m in apt_majors for name, _ in cudnn_packages(m, desired.cudnn[m].version)}
    found = [
        Unmanaged(
            kind="cudnn",
            resource=package.name,
            detail=f"{package.name} {package.version}",
            pruned=desired.prune,
        )
        for package in facts.cudnn.packages
        if package_name(package.name) not in wanted
    ]
    for toolkit in desired.cuda_toolkits:
        in_toolkit = found_toolkit(toolkit.path, facts)
        if in_toolkit and in_toolkit.cudnn and toolkit.major not in desired.cudnn:
            found.append(
                Unmanaged(
                    kind="cudnn",
                    resource=in_toolkit.cudnn.header,
                    detail=f"cuDNN {in_toolkit.cudnn.version} in {toolkit.path} (kept: its "
                    "files are not tracked, remove them by hand)",
                )
            )
    return found


def plan_cudnn(desired: HostState, facts: Facts) -> list[Change]:
    """Install each declared cuDNN build; with prune, purge undeclared cuDNN packages."""
    changes: list[Change] = []
    for major, build in sorted(desired.cudnn.items(), key=lambda item: int(item[0])):
        if build.source == "apt":
            change = _apt_change(major, build, facts)
            changes += [change] if change else []
        else:
            changes += _tarball_changes(desired, major, build, facts)
    unmanaged = [u for u in unmanaged_cudnn(desired, facts) if u.pruned]
    if unmanaged:
        names = [finding.resource for finding in unmanaged]
        changes.append(
            Change(
                task="cudnn",
                resource="undeclared cuDNN packages",
                before=", ".join(names),
                after="purged",
                reason="not declared, and prune is set",
                actions=(
                    *([release_holds(*own_holds(names, facts))] if own_holds(names, facts) else []),
                    apt_get("--purge", "remove", *names),
                    apt_get("--purge", "autoremove"),
                ),
            )
        )
    return changes


def _checks_of(major: str, build: CudnnBuild, toolkits: list[CudaToolkit]) -> list[Check]:
    if build.source == "apt":
        return [Check(
            f"cudnn for cuda {major}", "cudnn", "/usr/include",
            f"cudnn_version.h says {build.version} and libcudnn.so.{build.version.split('.')[0]} "
            "is installed",
            {"version": build.version, "include": "/usr/include",
             "lib": "/usr/lib"},
        )]  # fmt: skip
    return [
        Check(
            f"cudnn in cuda {toolkit.release}",
            "cudnn",
            f"{toolkit.path}/include",
            f"cudnn_version.h says {build.version} and libcudnn.so is in {toolkit.path}/lib64",
            {
                "version": build.version,
                "include": f"{toolkit.path}/include",
                "lib": f"{toolkit.path}/lib64",
            },
            depends_on=f"cuda {toolkit.release} nvcc",
        )
        for toolkit in toolkits
    ]


def checks(state: HostState) -> list[Check]:
    """Each CUDA major's cuDNN header and library are there at the desired version: the
    system's (apt) or in each toolkit of that major (tarball)."""
    found = []
    for major, build in sorted(state.cudnn.items(), key=lambda item: int(item[0])):
        toolkits = [toolkit for toolkit in state.cuda_toolkits if toolkit.major == major]
        found.extend(_checks_of(major, build, toolkits))
    return found
