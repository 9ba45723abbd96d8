"""libtorch: PyTorch's C++ zip, unpacked into its folder after checking `build-version`.

The zip is unpacked next to the target (with no file writable by group or others, since
root later links programs against it), its `build-version` must name the wanted build,
and only then does the new folder replace the old one (renames on one file system).
Only a libtorch is ever replaced: a folder at the path without a `build-version` file is
someone else's, reported as unmanaged and left alone (and the unpack command itself
fails rather than move a folder without one, should the host change after the facts).
"""

from __future__ import annotations

from provision import shell
from provision.artifacts import checksum, libtorch_url
from provision.check import SMOKE_PATH, Check
from provision.facts.libtorch import LibtorchFacts
from provision.facts.model import Facts
from provision.models import HostState, Libtorch
from provision.plan import Change, Command, Unmanaged
from provision.tasks.commands import cached_path, download


def build_version(libtorch: Libtorch) -> str:
    """`2.13.0+cpu`: what the zip's `build-version` file holds."""
    return f"{libtorch.version}+{libtorch.variant}"


def _unpack(libtorch: Libtorch, archive: str) -> Command:
    target = libtorch.path.rstrip("/")
    staging, old = f"{target}.provision-new", f"{target}.provision-old"
    line = " && ".join(
        [
            shell.command("rm", "-rf", staging, old),
            shell.command("mkdir", "-p", staging),
            shell.command("unzip", "-q", archive, "-d", staging),
            shell.command("chmod", "-R", "go-w", staging),
            shell.command(
                "grep", "-qx", build_version(libtorch), f"{staging}/libtorch/build-version"
            ),
            "{ "
            + shell.command("test", "!", "-e", target)
            + " || { "
            + shell.command("test", "-f", f"{target}/build-version")
            + " && "
            + shell.command("mv", "-T", target, old)
            + "; }; }",
            shell.command("mv", "-T", f"{staging}/libtorch", target),
            shell.command("rm", "-rf", staging, old),
        ]
    )
    return Command(command=line, timeout_s=1800.0)


def _found(desired: HostState, facts: Facts) -> LibtorchFacts | None:
    """The facts of the desired libtorch folder (None when they looked elsewhere)."""
    libtorch = desired.libtorch
    if libtorch is None or facts.libtorch is None or facts.libtorch.path != libtorch.path:
        return None
    return facts.libtorch


def unmanaged_libtorch(desired: HostState, facts: Facts) -> list[Unmanaged]:
    """The libtorch path when it is a folder without `build-version`: not a libtorch,
    so nothing of it is replaced (moving it away or choosing another path is the user's
    call)."""
    found = _found(desired, facts)
    if found is None or not found.exists or found.build_version is not None:
        return []
    return [
        Unmanaged(
            kind="libtorch",
            resource=found.path,
            detail="the folder exists but holds no libtorch (no build-version): left alone; "
            "move it away or set libtorch.path to another folder",
        )
    ]


def plan_libtorch(desired: HostState, facts: Facts) -> list[Change]:
    """Unpack the wanted build unless its folder already holds it with its CMake package,
    or holds something that is not a libtorch."""
    libtorch = desired.libtorch
    if libtorch is None or unmanaged_libtorch(desired, facts):
        return []
    found = _found(desired, facts)
    current = found.build_version if found and found.exists else None
    if current == build_version(libtorch) and found is not None and found.cmake_config:
        return []
    url = libtorch_url(desired, libtorch)
    return [
        Change(
            task="libtorch",
            resource=libtorch.path,
            before=current,
            after=build_version(libtorch),
            reason=f"libtorch {current or 'none'} in {libtorch.path}, {build_version(libtorch)} "
            "wanted",
            actions=(
                *download(url, checksum(desired, url, libtorch.sha256)),
                _unpack(libtorch, cached_path(url)),
            ),
        )
    ]


def checks(state: HostState) -> list[Check]:
    """libtorch's build-version says the desired build, and the notes' CMake example builds
    against it and runs."""
    libtorch = state.libtorch
    if libtorch is None:
        return []
    return [
        Check(
            "libtorch build-version",
            "libtorch-version",
            f"{libtorch.path}/build-version",
            f"says {libtorch.version}+{libtorch.variant}",
            {"path": libtorch.path, "version": libtorch.version, "variant": libtorch.variant},
        ),
        Check(
            "libtorch example builds and runs",
            "libtorch-build",
            libtorch.path,
            "CMake builds the notes' example against it and it prints a 2x3 tensor",
            {"path": libtorch.path, "workdir": f"{SMOKE_PATH}/libtorch-example"},
            depends_on="libtorch build-version",
        ),
    ]
