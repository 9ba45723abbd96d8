"""NVIDIA's keyring: every primary key's fingerprint computed on the host with od, awk and
sha1sum, as gpg computes it, and only NVIDIA's accepted."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provision import shell
from provision.tasks.nvidia_keyring import (
    FINGERPRINTS_FUNCTION,
    NVIDIA_KEY_FINGERPRINTS,
    install_keyring,
)
from provision.trusted_paths import FUNCTIONS, REFUSED_EXIT

KEYRINGS = Path(__file__).parent / "keyrings"
NVIDIA = "EB693B3035CD5710E231E123A4B469963BF863CC"
NOT_NVIDIA = "373602C5D83244159326D951932E4358D75AA665"


def run(line: str, *, shell_name: str = "sh") -> subprocess.CompletedProcess[str]:
    return subprocess.run([shell_name, "-c", FUNCTIONS + FINGERPRINTS_FUNCTION + line],
                          capture_output=True, text=True)  # fmt: skip


def keyring(tmp_path: Path, *names: str, cut: int | None = None) -> Path:
    data = b"".join((KEYRINGS / name).read_bytes() for name in names)
    path = tmp_path / "keyring.gpg"
    path.write_bytes(data[:cut])
    return path


@pytest.mark.parametrize("shell_name", ["sh", "bash"])
@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("nvidia-3bf863cc.gpg",), [NVIDIA]),
        (("not-nvidia.gpg",), [NOT_NVIDIA]),
        (("nvidia-3bf863cc.gpg", "not-nvidia.gpg"), [NVIDIA, NOT_NVIDIA]),
    ],
)
def test_fingerprints_are_those_gpg_prints(
    tmp_path: Path, names: tuple[str, ...], expected: list[str], shell_name: str
) -> None:
    path = keyring(tmp_path, *names)
    result = run(shell.command("provision_key_fingerprints", str(path)), shell_name=shell_name)
    assert result.stdout.split() == expected


def test_nvidia_s_published_key_is_the_one_accepted() -> None:
    assert list(NVIDIA_KEY_FINGERPRINTS) == [NVIDIA]


@pytest.mark.parametrize(
    ("names", "cut", "refusal"),
    [
        (("not-nvidia.gpg",), None, f"holds key {NOT_NVIDIA}, which is not NVIDIA's"),
        (("nvidia-3bf863cc.gpg", "not-nvidia.gpg"), None, f"holds key {NOT_NVIDIA}"),
        (("nvidia-3bf863cc.gpg",), 600, "is not an OpenPGP keyring provision can read"),
        ((), None, "holds no OpenPGP key"),
    ],
)
def test_a_keyring_with_any_other_key_or_cut_short_is_refused(
    tmp_path: Path, names: tuple[str, ...], cut: int | None, refusal: str
) -> None:
    path = keyring(tmp_path, *names, cut=cut)
    result = run(
        shell.command("provision_check_keyring", str(path), " ".join(NVIDIA_KEY_FINGERPRINTS))
    )
    assert result.returncode == REFUSED_EXIT
    assert refusal in result.stderr


def test_the_genuine_keyring_passes_the_check(tmp_path: Path) -> None:
    path = keyring(tmp_path, "nvidia-3bf863cc.gpg")
    result = run(shell.command("provision_check_keyring", str(path), NVIDIA))
    assert (result.returncode, result.stderr) == (0, "")


def test_the_package_is_unpacked_never_installed() -> None:
    line = install_keyring("/var/cache/provision/downloads/x-cuda-keyring_1.1-1_all.deb").command
    assert "dpkg-deb --fsys-tarfile" in line
    assert "dpkg -i" not in line and "apt-get" not in line
    assert line.index("provision_check_keyring") < line.index("install -m 0644")
