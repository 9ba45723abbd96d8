"""Every file provision downloads to run or unpack as root, where it comes from, and its sha256.

Root runs NVIDIA's runfiles and the conda installer, and unpacks cuDNN and libtorch, so
each must be the file its publisher made. A download is checked against its sha256
before use: the state's own field (`runfile_sha256`, `sha256`, ...) or, failing that,
`sources.checksums[url]`. Without one, nothing but the transport vouches for the file:
that is refused for `http://` and `file://` sources (anyone on the network, or any user
who can write the file, could swap it), and a plan that downloads one from `https://`,
where the server's certificate still does, warns. NVIDIA's apt keyring is checked by its
key fingerprint instead (`provision.tasks.nvidia_keyring`), apt packages by apt.
"""

from __future__ import annotations

from dataclasses import dataclass

from provision.compat.finding import Finding, error
from provision.credentials import public_url, redact
from provision.models import CudaToolkit, Driver, HostState, Libtorch
from provision.models.sources import join_url

RUNFILE_DRIVERS: dict[str, str] = {
    "11.0.3": "450.51.06",
    "11.1.1": "455.32.00",
    "11.2.2": "460.32.03",
    "11.3.1": "465.19.01",
    "11.4.4": "470.82.01",
    "11.5.2": "495.29.05",
    "11.6.2": "510.47.03",
    "11.7.0": "515.43.04",
    "11.7.1": "515.65.01",
    "11.8.0": "520.61.05",
    "12.0.0": "525.60.13",
    "12.0.1": "525.85.12",
    "12.1.0": "530.30.02",
    "12.1.1": "530.30.02",
    "12.2.0": "535.54.03",
    "12.2.1": "535.86.10",
    "12.2.2": "535.104.05",
    "12.3.0": "545.23.06",
    "12.3.1": "545.23.08",
    "12.3.2": "545.23.08",
    "12.4.0": "550.54.14",
    "12.4.1": "550.54.15",
    "12.5.0": "555.42.02",
    "12.5.1": "555.42.06",
    "12.6.0": "560.28.03",
    "12.6.1": "560.35.03",
    "12.6.2": "560.35.03",
    "12.6.3": "560.35.05",
    "12.8.0": "570.86.10",
    "12.8.1": "570.124.06",
}
"""The driver bundled in NVIDIA's local CUDA installer, which names its file
(`cuda_<version>_<driver>_linux.run`), from NVIDIA's CUDA downloads archive."""


@dataclass(frozen=True)
class Artifact:
    """One download: what it is, the state field of its sha256, its URL and sha256."""

    what: str
    field: str
    url: str
    sha256: str | None


def cuda_runfile_url(desired: HostState, toolkit: CudaToolkit) -> str:
    """NVIDIA's local installer of `toolkit` (KeyError when its bundled driver is unknown)."""
    name = f"cuda_{toolkit.version}_{RUNFILE_DRIVERS[toolkit.version]}_linux.run"
    return join_url(desired.sources.cuda_runfile_base, toolkit.version, "local_installers", name)


def driver_runfile_url(desired: HostState, driver: Driver) -> str:
    """NVIDIA's `.run` installer of the driver."""
    name = f"NVIDIA-Linux-x86_64-{driver.version}.run"
    return join_url(desired.sources.driver_runfile_base, driver.version, name)


def libtorch_url(desired: HostState, libtorch: Libtorch) -> str:
    """PyTorch's zip of the build (cxx11 ABI or not), `+` spelled `%2B` as PyTorch does."""
    abi = "cxx11-abi-" if libtorch.cxx11_abi else ""
    name = f"libtorch-{abi}shared-with-deps-{libtorch.version}%2B{libtorch.variant}.zip"
    return join_url(desired.sources.libtorch_base, libtorch.variant, name)


def checksum(desired: HostState, url: str, own: str | None) -> str | None:
    """The sha256 a download must have: its own field's, else the sources' manifest's (by
    the URL as written, or without its login)."""
    checksums = desired.sources.checksums
    return own or checksums.get(url) or checksums.get(public_url(url))


def state_artifacts(desired: HostState) -> list[Artifact]:
    """Every artifact `desired` may download, whatever the host already has."""
    found: list[Artifact] = []

    def add(what: str, field: str, url: str, own: str | None) -> None:
        found.append(Artifact(what, field, url, checksum(desired, url, own)))

    driver = desired.driver
    if driver is not None and driver.source == "runfile":
        url = driver_runfile_url(desired, driver)
        add(f"the driver runfile {driver.version}", "driver.runfile_sha256", url,
            driver.runfile_sha256)  # fmt: skip
    for index, toolkit in enumerate(desired.cuda_toolkits):
        if toolkit.source == "runfile" and toolkit.version in RUNFILE_DRIVERS:
            add(f"the CUDA {toolkit.version} runfile", f"cuda_toolkits[{index}].runfile_sha256",
                cuda_runfile_url(desired, toolkit), toolkit.runfile_sha256)  # fmt: skip
    for major, build in sorted(desired.cudnn.items()):
        if build.source == "tarball":
            add(f"the cuDNN {build.version} tarball for CUDA {major}",
                f"cudnn.{major}.tarball_sha256",
                desired.sources.cudnn_tarball_url(build.version, major),
                build.tarball_sha256)  # fmt: skip
    if desired.conda is not None:
        add(f"the {desired.conda.installer} installer", "conda.installer_sha256",
            desired.sources.conda_installer_url(desired.conda.installer),
            desired.conda.installer_sha256)  # fmt: skip
    if desired.libtorch is not None:
        add(f"libtorch {desired.libtorch.version}+{desired.libtorch.variant}", "libtorch.sha256",
            libtorch_url(desired, desired.libtorch), desired.libtorch.sha256)  # fmt: skip
    return found


def check_downloads(desired: HostState) -> list[Finding]:
    """An error for each artifact from an http or file URL without a sha256 (validation
    refuses the state); https ones without a sha256 are warned about by the plans that
    download them (`unverified_downloads`)."""
    return [
        error(
            (artifact.field,),
            f"{artifact.what} comes from {redact(artifact.url)} with no sha256 to check it "
            f"against, and root runs or unpacks it: set {artifact.field} or "
            "sources.checksums, or use https",
        )
        for artifact in state_artifacts(desired)
        if artifact.sha256 is None and not artifact.url.startswith("https://")
    ]


def unverified_downloads(desired: HostState, commands: list[str]) -> list[str]:
    """A warning for each artifact without a sha256 that one of `commands` downloads."""
    return [
        f"{artifact.what} is downloaded from {redact(artifact.url)} with no sha256: only the "
        f"server's certificate vouches for it; set {artifact.field} or sources.checksums"
        for artifact in state_artifacts(desired)
        if artifact.sha256 is None
        and any(public_url(artifact.url) in command for command in commands)
    ]
