"""The stand-in `.deb` packages: NVIDIA's real names, versions and dependency graph.

Pure. The graph follows NVIDIA's debian12 CUDA repository: `cuda-X-Y` ->
`cuda-runtime-X-Y` -> `cuda-drivers` -> `cuda-drivers-<branch>` -> `nvidia-driver` (Debian's
names, several point releases of a branch side by side) -> its sub-packages,
and `cuda-X-Y` -> `cuda-toolkit-X-Y` -> compiler/libraries/config-common packages. Purging
`nvidia*` therefore takes `cuda-X-Y` with it and autoremove the toolkit, as on a real host.
Stand-ins depend only on each other (and on dpkg's update-alternatives).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from provision_lab.mirror import stand_in_files as files
from provision_lab.mirror.catalog import (
    APT_DRIVERS,
    CUDNN_BUILDS,
    DEBIAN_ARCHIVE_DRIVERS,
    DEBIAN_ARCHIVE_MODPROBE,
    DEBIAN_ARCHIVE_PERSISTENCED,
    MODPROBE_VERSIONS,
    PERSISTENCED_VERSION,
    REAL_TOOLKITS,
    TOOLKITS,
    CudnnBuild,
    Driver,
    RealToolkit,
    Toolkit,
)
from provision_lab.mirror.file_tree import FileTree, TreeFile, render_asset

MAINTAINER = "cudatools <cudatools@nvidia.com>"
STAND_IN_NOTE = "LAB STAND-IN built by provision's sandbox lab; not NVIDIA software."
REAL_NOTE = (
    "NVIDIA's own files from NVIDIA's PyPI wheels, packaged by provision's sandbox lab "
    "(the package, not its contents, is the lab's)."
)
FAST_COMPRESSION = ("-Zzstd", "-z1")


@dataclass(frozen=True)
class PackageSpec:
    """One binary package: control fields, its file tree and maintainer scripts."""

    name: str
    version: str
    summary: str
    depends: tuple[str, ...] = ()
    exclusive: tuple[str, ...] = ()
    recommends: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    section: str = "multiverse/devel"
    tree: FileTree = field(default_factory=FileTree)
    scripts: tuple[tuple[str, str], ...] = ()
    payload: Path | None = None
    """A folder of files on disk (paths as on the host) packaged beside `tree`."""
    note: str = STAND_IN_NOTE
    compression: tuple[str, ...] = ("-Zxz",)

    @property
    def file_name(self) -> str:
        """`name_version_amd64.deb`, as in NVIDIA's repository."""
        return f"{self.name}_{self.version}_amd64.deb"

    def control(self) -> str:
        """The DEBIAN/control text."""
        lines = [
            f"Package: {self.name}",
            f"Version: {self.version}",
            "Architecture: amd64",
            f"Maintainer: {MAINTAINER}",
            f"Section: {self.section}",
            "Priority: optional",
        ]
        if self.depends:
            lines.append("Depends: " + ", ".join(self.depends))
        if self.recommends:
            lines.append("Recommends: " + ", ".join(self.recommends))
        relations = {
            "Provides": self.exclusive + self.provides,
            "Conflicts": self.exclusive + self.conflicts,
            "Replaces": self.exclusive + self.conflicts,
        }
        for relation, names in relations.items():
            if names:
                lines.append(f"{relation}: " + ", ".join(names))
        lines.append(f"Description: {self.summary}")
        lines.append(f" {self.note}")
        return "\n".join(lines) + "\n"


def _driver_packages(
    driver: Driver, module: bytes, revision: str = "1", archive: bool = False
) -> Iterator[PackageSpec]:
    """The driver as NVIDIA's debian12 repository names it: Debian's names, never a
    branch, every binary of the driver source at `<version>-1` and depending on its
    siblings at exactly that version (Debian's debian/control shape). `archive`: as
    Debian's own archive has it (its open module is `nvidia-open-kernel-dkms`, its revision
    Debian's, and no `cuda-drivers` metapackages)."""
    version, deb = driver.version, f"{driver.version}-{revision}"
    exact = f"(= {deb})"
    values = {"DRIVER_VERSION": version}
    dkms_scripts = (
        ("postinst", render_asset("nvidia-dkms.postinst", values)),
        ("prerm", render_asset("nvidia-dkms.prerm", values)),
    )
    yield PackageSpec(
        "nvidia-driver",
        deb,
        "NVIDIA metapackage",
        (
            f"nvidia-driver-libs {exact}",
            f"nvidia-driver-bin {exact}",
            f"nvidia-alternative {exact}",
            f"nvidia-kernel-dkms {exact} | nvidia-kernel-{version} | nvidia-open-kernel-{version}",
        ),
        recommends=("nvidia-persistenced",),
        section="non-free/x11",
    )
    yield PackageSpec(
        "nvidia-driver-libs",
        deb,
        "NVIDIA metapackage (libraries)",
        (f"libcuda1 {exact}", f"libnvidia-ml1 {exact}"),
        section="non-free/libs",
    )
    yield PackageSpec("nvidia-driver-bin", deb, "NVIDIA driver support binaries",
                      (f"nvidia-alternative {exact}",), section="non-free/x11")  # fmt: skip
    yield PackageSpec("nvidia-alternative", deb, "allows the selection of NVIDIA as GLX provider",
                      section="non-free/libs")  # fmt: skip
    open_dkms = "nvidia-open-kernel-dkms" if archive else "nvidia-kernel-open-dkms"
    for name, provides, other in (
        ("nvidia-kernel-dkms", f"nvidia-kernel-{version}", open_dkms),
        (open_dkms, f"nvidia-open-kernel-{version}", "nvidia-kernel-dkms"),
    ):
        yield PackageSpec(
            name,
            deb,
            "NVIDIA kernel module DKMS source",
            (f"firmware-nvidia-gsp {exact}", f"nvidia-kernel-support {exact}"),
            provides=(provides,),
            conflicts=(other,),
            section="contrib/kernel" if name == "nvidia-open-kernel-dkms" else "non-free/kernel",
            tree=files.driver_dkms_tree(driver, module),
            scripts=dkms_scripts,
        )
    yield PackageSpec(
        "nvidia-kernel-support",
        deb,
        "NVIDIA binary kernel module support files",
        (f"nvidia-alternative {exact}", f"nvidia-modprobe (>= {driver.branch})"),
        section="non-free/kernel",
    )
    yield PackageSpec(
        "firmware-nvidia-gsp",
        deb,
        "NVIDIA GSP firmware",
        section="non-free-firmware/kernel",
        tree=files.driver_firmware_tree(driver),
    )
    yield PackageSpec(
        "nvidia-smi",
        deb,
        "NVIDIA System Management Interface",
        (f"nvidia-alternative {exact}", f"libnvidia-ml1 {exact}"),
        section="non-free/utils",
        tree=files.driver_utils_tree(driver),
    )
    yield PackageSpec(
        "libcuda1",
        deb,
        "NVIDIA CUDA Driver Library",
        (f"nvidia-alternative {exact}",),
        recommends=("nvidia-smi", "nvidia-persistenced"),
        provides=("libcuda.so.1",),
        section="non-free/libs",
        tree=files.driver_library_tree(driver, "libcuda"),
    )
    yield PackageSpec(
        "libnvidia-ml1",
        deb,
        "NVIDIA Management Library (NVML) runtime library",
        section="non-free/libs",
        tree=files.driver_library_tree(driver, "libnvidia-ml"),
    )
    if archive:
        return
    yield PackageSpec(
        f"cuda-drivers-{driver.branch}",
        deb,
        "CUDA Driver meta-package, branch-specific",
        (f"nvidia-driver (>= {version})",),
    )
    yield PackageSpec(
        "cuda-drivers",
        deb,
        "CUDA Driver meta-package, branch-agnostic",
        (f"cuda-drivers-{driver.branch} {exact}",),
    )


def _separate_driver_tools(
    modprobe_versions: tuple[str, ...], persistenced_version: str
) -> Iterator[PackageSpec]:
    """Packages of their own source packages, whose versions (full Debian versions here)
    are not the driver's (as bookworm's nvidia-modprobe 535.161.07 beside its 535.261.03
    driver)."""
    for version in modprobe_versions:
        yield PackageSpec(
            "nvidia-modprobe",
            version,
            "utility to load NVIDIA kernel modules",
            section="contrib/utils",
        )
    yield PackageSpec(
        "nvidia-persistenced",
        persistenced_version,
        "daemon to maintain persistent software state in the NVIDIA driver",
        section="contrib/utils",
    )


def _config_scripts(toolkit: Toolkit) -> tuple[tuple[str, str], ...]:
    values = {
        "CUDA_SHORT": toolkit.short,
        "CUDA_MAJOR": toolkit.major,
        "PRIORITY": str(toolkit.alternatives_priority),
    }
    return (
        ("postinst", render_asset("cuda-toolkit-config-common.postinst", values)),
        ("prerm", render_asset("cuda-toolkit-config-common.prerm", values)),
    )


def _config_depends(toolkit: Toolkit) -> tuple[str, ...]:
    """What `cuda-cudart-X-Y` depends on: the toolkit's, its line's and the global
    config-common packages (so installing it sets the alternatives, as upstream)."""
    return (
        f"cuda-toolkit-{toolkit.dashed}-config-common",
        f"cuda-toolkit-{toolkit.major}-config-common",
        "cuda-toolkit-config-common",
    )


def _toolkit_packages(toolkit: Toolkit) -> Iterator[PackageSpec]:
    dashed, full, component = toolkit.dashed, f"{toolkit.version}-1", toolkit.component_version
    at_least = f"(>= {toolkit.version})"
    yield PackageSpec(
        f"cuda-toolkit-{dashed}-config-common",
        f"{component}-1",
        "Common config package for CUDA Toolkit",
        scripts=_config_scripts(toolkit),
    )
    yield PackageSpec(
        f"cuda-nvcc-{dashed}", f"{component}-1", "CUDA nvcc", tree=files.toolkit_nvcc_tree(toolkit)
    )
    yield PackageSpec(
        f"cuda-cudart-{dashed}",
        f"{component}-1",
        "CUDA Runtime native Libraries",
        _config_depends(toolkit),
        tree=files.toolkit_cudart_tree(toolkit),
    )
    yield PackageSpec(
        f"cuda-compiler-{dashed}", full, "CUDA compiler", (f"cuda-nvcc-{dashed} (>= {component})",)
    )
    yield PackageSpec(
        f"cuda-libraries-{dashed}",
        full,
        "CUDA Libraries meta-package",
        (f"cuda-cudart-{dashed} (>= {component})",),
    )
    yield PackageSpec(
        f"cuda-toolkit-{dashed}",
        full,
        "CUDA Toolkit meta-package",
        (f"cuda-compiler-{dashed} {at_least}", f"cuda-libraries-{dashed} {at_least}"),
        tree=files.toolkit_meta_tree(toolkit),
    )
    yield PackageSpec(
        f"cuda-runtime-{dashed}",
        full,
        "CUDA Runtime meta-package",
        (f"cuda-libraries-{dashed} {at_least}", f"cuda-drivers (>= {toolkit.bundled_driver})"),
    )
    yield PackageSpec(
        f"cuda-{dashed}",
        full,
        "CUDA meta-package",
        (f"cuda-runtime-{dashed} {at_least}", f"cuda-toolkit-{dashed} {at_least}"),
    )
    yield PackageSpec("cuda", full, "CUDA meta-package", (f"cuda-{dashed} {at_least}",))
    yield PackageSpec(
        "cuda-toolkit", full, "CUDA Toolkit meta-package", (f"cuda-toolkit-{dashed} {at_least}",)
    )


def real_toolkit_packages(real: RealToolkit, trees: dict[str, Path]) -> Iterator[PackageSpec]:
    """A toolkit of NVIDIA's real files (`trees`: each component package's unpacked folder,
    from `cuda_wheels.unpack_toolkit`): component packages at their own versions,
    `cuda-nvcc-X-Y` depending on `cuda-crt-X-Y` and `cuda-nvvm-X-Y` at exactly its version
    (nvidia-packaging.md 5), and the same metapackages as a stand-in toolkit."""
    toolkit, dashed = real.toolkit, real.toolkit.dashed
    nvcc = f"{real.wheel_version('nvidia-cuda-nvcc')}-1"
    runtime = f"{real.wheel_version('nvidia-cuda-runtime')}-1"
    config = _config_depends(toolkit)

    def component(name: str, version: str, summary: str, *depends: str) -> PackageSpec:
        return PackageSpec(name, version, summary, depends, payload=trees[name], note=REAL_NOTE,
                           compression=FAST_COMPRESSION)  # fmt: skip

    crt, nvvm = real.wheel_version("nvidia-cuda-crt"), real.wheel_version("nvidia-nvvm")
    cccl = real.wheel_version("nvidia-cuda-cccl")
    yield component(
        f"cuda-nvcc-{dashed}",
        nvcc,
        "CUDA nvcc",
        f"cuda-crt-{dashed} (= {nvcc})",
        f"cuda-nvvm-{dashed} (= {nvcc})",
    )
    yield component(f"cuda-crt-{dashed}", f"{crt}-1", "CUDA crt")
    yield component(f"cuda-nvvm-{dashed}", f"{nvvm}-1", "CUDA nvvm")
    yield component(f"cuda-cudart-{dashed}", runtime, "CUDA Runtime native Libraries", *config)
    yield component(
        f"cuda-cudart-dev-{dashed}",
        runtime,
        "CUDA Runtime native dev links, headers",
        f"cuda-cudart-{dashed} (= {runtime})",
    )
    yield component(f"cuda-cccl-{dashed}", f"{cccl}-1", "CUDA CCCL")  # fmt: skip
    version_json = files.real_toolkit_version_json(real).encode()
    for spec in _toolkit_packages(toolkit):
        if spec.name in (f"cuda-nvcc-{dashed}", f"cuda-cudart-{dashed}"):
            continue
        if spec.name == f"cuda-libraries-{dashed}":
            extra = (f"cuda-cudart-dev-{dashed} (>= {runtime})", f"cuda-cccl-{dashed}")
            spec = replace(spec, depends=(*spec.depends, *extra))
        elif spec.name == f"cuda-toolkit-{dashed}":
            version_file = f"usr/local/cuda-{toolkit.short}/version.json"
            spec = replace(spec, tree=FileTree({version_file: TreeFile(version_json)}),
                           note=REAL_NOTE)  # fmt: skip
        yield spec


def _config_common_packages() -> Iterator[PackageSpec]:
    """One `cuda-toolkit-<major>-config-common` per line and `cuda-toolkit-config-common`."""
    newest: dict[str, Toolkit] = {}
    for toolkit in (*TOOLKITS, *(real.toolkit for real in REAL_TOOLKITS)):
        newest[toolkit.major] = toolkit
    for major, toolkit in sorted(newest.items()):
        conf = f"/usr/local/cuda-{major}/targets/x86_64-linux/lib\n"
        yield PackageSpec(
            f"cuda-toolkit-{major}-config-common",
            f"{toolkit.component_version}-1",
            "Common config package for CUDA Toolkit",
            tree=FileTree({f"etc/ld.so.conf.d/988_cuda-{major}.conf": _text(conf)}),
        )
    latest = max(newest.values(), key=lambda toolkit: toolkit.alternatives_priority)
    yield PackageSpec(
        "cuda-toolkit-config-common",
        f"{latest.component_version}-1",
        "Common config package for CUDA Toolkit",
        tree=FileTree(
            {"etc/ld.so.conf.d/000_cuda.conf": _text("/usr/local/cuda/targets/x86_64-linux/lib\n")}
        ),
    )


def _text(content: str) -> TreeFile:
    return TreeFile(content.encode())


def _cudnn_packages(build: CudnnBuild) -> Iterator[PackageSpec]:
    major = build.major
    values = {"CUDNN_MAJOR": major, "PRIORITY": f"{major}0"}
    yield PackageSpec(
        f"libcudnn{major}",
        build.deb_version,
        "cuDNN runtime libraries",
        tree=files.cudnn_library_tree(build),
    )
    yield PackageSpec(
        f"libcudnn{major}-dev",
        build.deb_version,
        "cuDNN development libraries and headers",
        (f"libcudnn{major} (= {build.deb_version})",),
        tree=files.cudnn_dev_tree(build),
        scripts=(
            ("postinst", render_asset("libcudnn-dev.postinst", values)),
            ("prerm", render_asset("libcudnn-dev.prerm", values)),
        ),
    )


def debian_archive_packages(
    kernel_module: Callable[[str], bytes],
) -> dict[str, list[PackageSpec]]:
    """Debian's own archive, by suite: each suite's driver set in its components
    (`non-free`, `contrib`, `non-free-firmware`, from each package's section), and
    bookworm's nvidia-modprobe and nvidia-persistenced."""
    suites: dict[str, list[PackageSpec]] = {}
    for entry in DEBIAN_ARCHIVE_DRIVERS:
        module = kernel_module(entry.driver.version)
        specs = list(_driver_packages(entry.driver, module, entry.revision, archive=True))
        suites.setdefault(entry.suite, []).extend(specs)
    suites["bookworm"] += _separate_driver_tools(
        (DEBIAN_ARCHIVE_MODPROBE,), DEBIAN_ARCHIVE_PERSISTENCED
    )
    return suites


def all_packages(
    kernel_module: Callable[[str], bytes], real_trees: dict[str, dict[str, Path]]
) -> list[PackageSpec]:
    """Every package of the flat repository; `kernel_module(version)` gives the nvidia.ko
    bytes, `real_trees[X.Y]` each real toolkit's unpacked component folders."""
    packages: list[PackageSpec] = []
    for driver in APT_DRIVERS:
        packages.extend(_driver_packages(driver, kernel_module(driver.version)))
    packages.extend(
        _separate_driver_tools(
            tuple(f"{version}-1" for version in MODPROBE_VERSIONS), f"{PERSISTENCED_VERSION}-1"
        )
    )
    for toolkit in TOOLKITS:
        packages.extend(_toolkit_packages(toolkit))
    for real in REAL_TOOLKITS:
        packages.extend(real_toolkit_packages(real, real_trees[real.toolkit.short]))
    packages.extend(_config_common_packages())
    for build in CUDNN_BUILDS:
        packages.extend(_cudnn_packages(build))
    return packages
