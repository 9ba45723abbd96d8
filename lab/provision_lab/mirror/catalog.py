"""What the lab mirror carries: NVIDIA product versions as NVIDIA publishes them.

Pure data. Every version here is a real NVIDIA release (driver branches, CUDA updates with
their component versions, the cuDNN 8.9.7 builds), so that names, URLs and package versions
built from it match NVIDIA's servers; only the file contents are lab stand-ins.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Driver:
    """An NVIDIA Linux driver release and the highest CUDA version it supports."""

    version: str
    cuda_version: str

    @property
    def branch(self) -> str:
        """The branch number that names NVIDIA's packages (`nvidia-driver-535`)."""
        return self.version.split(".")[0]

    @property
    def nvml_version(self) -> str:
        """The two-field version NVML prints in its mismatch error (`535.154`)."""
        return ".".join(self.version.split(".")[:2])


@dataclass(frozen=True)
class Toolkit:
    """A CUDA toolkit update: its full version, component version and bundled driver."""

    version: str
    component_version: str
    bundled_driver: str
    nvcc_built_on: str
    nvcc_build: str
    copyright_years: str

    @property
    def short(self) -> str:
        """`11.8`: the `/usr/local/cuda-11.8` suffix and nvcc's release number."""
        return ".".join(self.version.split(".")[:2])

    @property
    def major(self) -> str:
        """`11`: the major line (`cuda-toolkit-11-config-common`)."""
        return self.version.split(".")[0]

    @property
    def dashed(self) -> str:
        """`11-8`: the package-name suffix (`cuda-toolkit-11-8`)."""
        return self.short.replace(".", "-")

    @property
    def alternatives_priority(self) -> int:
        """Priority of `/usr/local/cuda` alternatives: the newer toolkit wins, as upstream."""
        major, minor = self.short.split(".")
        return int(major) * 10 + int(minor)

    @property
    def runfile_name(self) -> str:
        """NVIDIA's local installer name, e.g. `cuda_11.8.0_520.61.05_linux.run`."""
        return f"cuda_{self.version}_{self.bundled_driver}_linux.run"

    @property
    def cudart_soname_version(self) -> str:
        """The cudart SONAME suffix: `11.0` for every 11.x, `12` from CUDA 12 on."""
        return "11.0" if self.major == "11" else self.major


@dataclass(frozen=True)
class CudnnBuild:
    """One cuDNN build: the library version and the CUDA line it was built for."""

    version: str
    cuda_for_deb: str
    cuda_major: str

    @property
    def short(self) -> str:
        """`8.9.7`: the library file suffix (`libcudnn.so.8.9.7`)."""
        return ".".join(self.version.split(".")[:3])

    @property
    def major(self) -> str:
        """`8`: the package suffix (`libcudnn8`)."""
        return self.version.split(".")[0]

    @property
    def deb_version(self) -> str:
        """NVIDIA's Debian version, e.g. `8.9.7.29-1+cuda11.8`."""
        return f"{self.version}-1+cuda{self.cuda_for_deb}"

    @property
    def archive_stem(self) -> str:
        """NVIDIA's tarball stem, e.g. `cudnn-linux-x86_64-8.9.7.29_cuda11-archive`."""
        return f"cudnn-linux-x86_64-{self.version}_cuda{self.cuda_major}-archive"


# Driver releases offered through apt and as `.run` installers: two point releases of
# branch 535, as NVIDIA's repositories keep every point release of a branch, and 580.95.05,
# the minimum of CUDA 13.0 Update 2 (for the real CUDA 13.0 toolkit below).
APT_DRIVERS: tuple[Driver, ...] = (
    Driver("515.105.01", "11.7"),
    Driver("535.154.05", "12.2"),
    Driver("535.161.07", "12.2"),
    Driver("550.54.15", "12.4"),
    Driver("580.95.05", "13.0"),
)

# nvidia-modprobe and nvidia-persistenced come from source packages of their own, released
# on their own (bookworm: nvidia-modprobe 535.161.07, nvidia-persistenced 535.171.04).
MODPROBE_VERSIONS = ("535.161.07", "550.54.14", "580.95.05")
PERSISTENCED_VERSION = "535.171.04"


@dataclass(frozen=True)
class ArchiveDriver:
    """A driver release in one suite of Debian's own archive, with Debian's revision."""

    suite: str
    driver: Driver
    revision: str

    @property
    def deb_version(self) -> str:
        """`535.261.03-1`, `535.309.01-0+deb12u1`: the version of every binary of its set."""
        return f"{self.driver.version}-{self.revision}"


# Debian 12's own driver (packages.debian.org bookworm nvidia-driver: 535.261.03-1; the
# security suite's 535.309.01-0+deb12u1 as the issue cites it), with bookworm's
# nvidia-modprobe / nvidia-persistenced (the latter 535.171.04-1~deb12u1 in contrib).
DEBIAN_ARCHIVE_DRIVERS: tuple[ArchiveDriver, ...] = (
    ArchiveDriver("bookworm", Driver("535.261.03", "12.2"), "1"),
    ArchiveDriver("bookworm-security", Driver("535.309.01", "12.2"), "0+deb12u1"),
)
DEBIAN_ARCHIVE_MODPROBE = "535.161.07-1~deb12u1"
DEBIAN_ARCHIVE_PERSISTENCED = "535.171.04-1~deb12u1"

# Drivers bundled in the CUDA local installers (selected with `--driver`).
BUNDLED_DRIVERS: tuple[Driver, ...] = (
    Driver("515.65.01", "11.7"),
    Driver("520.61.05", "11.8"),
    Driver("530.30.02", "12.1"),
)

# Component versions and nvcc build lines as the real toolkits print them.
TOOLKITS: tuple[Toolkit, ...] = (
    Toolkit(
        "11.7.1",
        "11.7.99",
        "515.65.01",
        "Wed_Jun__8_16:49:14_PDT_2022",
        "cuda_11.7.r11.7/compiler.31442593_0",
        "2005-2022",
    ),
    Toolkit(
        "11.8.0",
        "11.8.89",
        "520.61.05",
        "Wed_Sep_21_10:33:58_PDT_2022",
        "cuda_11.8.r11.8/compiler.31833905_0",
        "2005-2022",
    ),
    Toolkit(
        "12.1.1",
        "12.1.105",
        "530.30.02",
        "Mon_Apr__3_17:16:06_PDT_2023",
        "cuda_12.1.r12.1/compiler.32688072_0",
        "2005-2023",
    ),
)


@dataclass(frozen=True)
class RealToolkit:
    """A CUDA toolkit the mirror builds from NVIDIA's own PyPI wheels (real binaries), with
    each wheel's version as NVIDIA's `cuda-toolkit` metapackage on PyPI pins it."""

    toolkit: Toolkit
    wheels: tuple[tuple[str, str], ...]
    """(PyPI project, version) of every wheel the toolkit's packages are made of."""

    def wheel_version(self, project: str) -> str:
        """The pinned version of one wheel (KeyError for a project not pinned)."""
        return dict(self.wheels)[project]


# CUDA 13.0 Update 2 (13.0.2, minimum driver 580.95.05). Versions: PyPI `cuda-toolkit==13.0.2`
# pins nvidia-cuda-nvcc 13.0.88, nvidia-cuda-runtime 13.0.96 and nvidia-cuda-cccl 13.0.85
# (its `nvcc`, `cudart`, `cccl` extras); nvidia-cuda-nvcc requires nvidia-cuda-crt and
# nvidia-nvvm without a version, so they are pinned to nvcc's own (13.0.88, published), as
# NVIDIA's apt `cuda-nvcc-X-Y` depends on `cuda-crt-X-Y (= nvcc's version)`
# (nvidia-packaging.md 5). nvcc 13.0.88 prints "Built on Wed_Aug_20_01:58:59_PM_PDT_2025",
# "Build cuda_13.0.r13.0/compiler.36424714_0" (run here).
REAL_TOOLKITS: tuple[RealToolkit, ...] = (
    RealToolkit(
        Toolkit(
            "13.0.2",
            "13.0.88",
            "580.95.05",
            "Wed_Aug_20_01:58:59_PM_PDT_2025",
            "cuda_13.0.r13.0/compiler.36424714_0",
            "2005-2025",
        ),
        (
            ("nvidia-cuda-nvcc", "13.0.88"),
            ("nvidia-cuda-crt", "13.0.88"),
            ("nvidia-nvvm", "13.0.88"),
            ("nvidia-cuda-runtime", "13.0.96"),
            ("nvidia-cuda-cccl", "13.0.85"),
        ),
    ),
)

CUDNN_BUILDS: tuple[CudnnBuild, ...] = (
    CudnnBuild("8.9.7.29", "11.8", "11"),
    CudnnBuild("8.9.7.29", "12.2", "12"),
)

# The PyTorch release the wheelhouse and libtorch carry (the CPU build lies on disk here).
TORCH_VERSION = "2.13.0"
TORCH_VARIANT = "cpu"
WHEEL_PYTHON_VERSION = "3.11"
WHEEL_PLATFORM = "manylinux_2_28_x86_64"

# The conda the stand-in installer claims to be (a 24.x release, as the brief pins).
CONDA_VERSION = "24.9.2"
MINICONDA_PYTHON_TAG = "py311"


def all_drivers() -> tuple[Driver, ...]:
    """Every driver a stand-in artefact is built for, apt and bundled, without repeats."""
    seen: dict[str, Driver] = {}
    for driver in (*APT_DRIVERS, *BUNDLED_DRIVERS):
        seen.setdefault(driver.version, driver)
    return tuple(seen.values())
