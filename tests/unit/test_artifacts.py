"""Which downloads root runs or unpacks, and the sha256 each must match."""

from __future__ import annotations

from provision.artifacts import check_downloads, state_artifacts, unverified_downloads
from provision.models import HostState
from tests.unit.resources.host_facts import state

OFFICIAL: dict[str, object] = {"sources": {
    "apt_repository": None, "pip_index_url": None, "conda_channels": [],
    "driver_runfile_base": "https://download.nvidia.com/XFree86/Linux-x86_64",
    "cudnn_tarball_base":
        "https://developer.download.nvidia.com/compute/cudnn/redist/cudnn/linux-x86_64",
    "miniconda_installer_url": "https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh",
    "libtorch_base": "https://download.pytorch.org/libtorch",
    "checksums=": {}, "apt_repository_trusted": False, "http_indexes_trusted": False,
}}  # fmt: skip


def test_the_sandbox_state_names_a_sha256_for_each_of_its_downloads() -> None:
    desired = state()
    found = {artifact.what: artifact.sha256 for artifact in state_artifacts(desired)}
    assert set(found) == {
        "the cuDNN 8.9.7.29 tarball for CUDA 12",
        "the miniconda installer",
        "libtorch 2.13.0+cpu",
    }
    assert all(digest and len(digest) == 64 for digest in found.values())
    assert check_downloads(desired) == []


def test_an_http_download_without_a_sha256_is_an_error_naming_its_field() -> None:
    desired = state({"sources": {"checksums=": {}}})
    errors = check_downloads(desired)
    assert [finding.fields for finding in errors] == [
        ("cudnn.12.tarball_sha256",),
        ("conda.installer_sha256",),
        ("libtorch.sha256",),
    ]
    assert all(finding.level == "error" for finding in errors)
    assert "with no sha256 to check it against, and root runs or unpacks it" in errors[0].message


def test_an_https_download_without_one_is_warned_about_only_when_planned() -> None:
    desired: HostState = state(OFFICIAL)
    assert check_downloads(desired) == []
    libtorch = next(a for a in state_artifacts(desired) if a.field == "libtorch.sha256")
    planned = [f"curl -fsSL -o /x {libtorch.url}"]
    warnings = unverified_downloads(desired, planned)
    assert warnings == [
        f"libtorch 2.13.0+cpu is downloaded from {libtorch.url} with no sha256: only the "
        "server's certificate vouches for it; set libtorch.sha256 or sources.checksums"
    ]
    assert unverified_downloads(desired, ["apt-get install x"]) == []


def test_a_field_s_own_sha256_wins_over_the_manifest() -> None:
    own = "a" * 64
    desired = state({"libtorch": {"sha256": own}})
    libtorch = next(a for a in state_artifacts(desired) if a.field == "libtorch.sha256")
    assert libtorch.sha256 == own
