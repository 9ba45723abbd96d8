"""Where each artefact lies under the mirror root, mirroring the upstream URL paths.

Each top folder stands for one upstream base URL; below it the upstream path is kept
verbatim, so a URL built for NVIDIA's or PyTorch's servers works against the mirror with only
the base changed (`https://developer.download.nvidia.com` -> `http://127.0.0.1:PORT/runfiles`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from provision_lab.mirror.catalog import CudnnBuild, Driver, Toolkit

APT = PurePosixPath("apt")
DEBIAN = PurePosixPath("debian")
DEBIAN_SECURITY = PurePosixPath("debian-security")
RUNFILES = PurePosixPath("runfiles")
CUDNN = PurePosixPath("cudnn")
WHEELS = PurePosixPath("wheels")
LIBTORCH = PurePosixPath("libtorch")
CONDA = PurePosixPath("conda")

STAMP_NAME = ".mirror-recipe"
CHECKSUMS_NAME = "checksums.json"
"""sha256 of every download the mirror serves outside apt and pip, by path (the lab's
inventory turns it into `sources.checksums`, so lab hosts check them as real hosts do)."""
CHECKSUMMED = (RUNFILES, CUDNN, CONDA, LIBTORCH)


def cuda_runfile_path(toolkit: Toolkit) -> PurePosixPath:
    """`compute/cuda/11.8.0/local_installers/cuda_11.8.0_520.61.05_linux.run` under runfiles/."""
    return RUNFILES / "compute/cuda" / toolkit.version / "local_installers" / toolkit.runfile_name


def cuda_md5sum_path(toolkit: Toolkit) -> PurePosixPath:
    """NVIDIA's published checksum list for a CUDA release's installers."""
    return RUNFILES / "compute/cuda" / toolkit.version / "docs/sidebar/md5sum.txt"


def driver_runfile_path(driver: Driver) -> PurePosixPath:
    """`XFree86/Linux-x86_64/535.154.05/NVIDIA-Linux-x86_64-535.154.05.run` under runfiles/."""
    name = f"NVIDIA-Linux-x86_64-{driver.version}.run"
    return RUNFILES / "XFree86/Linux-x86_64" / driver.version / name


def cudnn_archive_path(build: CudnnBuild) -> PurePosixPath:
    """`compute/cudnn/redist/cudnn/linux-x86_64/<stem>.tar.xz` under cudnn/."""
    return CUDNN / "compute/cudnn/redist/cudnn/linux-x86_64" / f"{build.archive_stem}.tar.xz"


def cudnn_redistrib_path(version: str) -> PurePosixPath:
    """NVIDIA's redistrib manifest (sha256 per archive), e.g. `redistrib_8.9.7.json`."""
    short = ".".join(version.split(".")[:3])
    return CUDNN / "compute/cudnn/redist" / f"redistrib_{short}.json"


def libtorch_zip_name(version: str, variant: str) -> str:
    """The name on disk; PyTorch's URLs spell the `+` as `%2B`, which HTTP servers decode."""
    return f"libtorch-cxx11-abi-shared-with-deps-{version}+{variant}.zip"


def libtorch_zip_alias_name(version: str, variant: str) -> str:
    """The same archive under the shorter name of cxx11-ABI-only releases (no `-cxx11-abi`)."""
    return f"libtorch-shared-with-deps-{version}+{variant}.zip"


def libtorch_zip_path(version: str, variant: str) -> PurePosixPath:
    """`libtorch/cpu/<zip>` under libtorch/, as on PyTorch's download server."""
    return LIBTORCH / "libtorch" / variant / libtorch_zip_name(version, variant)


def miniconda_installer_path(name: str) -> PurePosixPath:
    """`miniconda/<installer>` under conda/, as on Anaconda's repository."""
    return CONDA / "miniconda" / name


@dataclass(frozen=True)
class MirrorBuild:
    """A built mirror: its root on disk and where each part lies, relative to the root.

    `apt_source_line(url)` forms the one-line apt entry; wheels is a flat `--find-links`
    folder (with an `index.html`), and `wheels/simple/` a PEP 503 index of the same files.
    """

    root: str
    recipe: str
    cached: bool
    apt: str = str(APT)
    runfiles: str = str(RUNFILES)
    cudnn: str = str(CUDNN)
    wheels: str = str(WHEELS)
    wheels_simple_index: str = str(WHEELS / "simple")
    libtorch: str = str(LIBTORCH)
    conda: str = str(CONDA)
    libtorch_zip: str = ""
    miniconda_installer: str = ""

    def apt_source_line(self, base_url: str) -> str:
        """`deb [trusted=yes] <base>/apt ./`: unsigned, lab only (loopback, built locally)."""
        return f"deb [trusted=yes] {base_url.rstrip('/')}/{self.apt} ./"

    def url(self, base_url: str, relative: str) -> str:
        """The URL of a mirror path, with `+` percent-encoded as PyTorch's URLs spell it."""
        return f"{base_url.rstrip('/')}/{relative.replace('+', '%2B')}"
