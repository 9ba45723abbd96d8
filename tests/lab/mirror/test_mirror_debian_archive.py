"""The stand-in of Debian's own archive, read by the real apt: a host with `main` only sees
no driver; with provision's components file beside its own entries (one-line and deb822,
each repeating its source's Trusted) and the driver pin, apt installs exactly one driver set,
from `bookworm` or from `bookworm-security`."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from provision.facts.apt_sources import parse_deb822, parse_one_line
from provision.packaging.distributions import find_distribution
from provision.packaging.driver_names import DEBIAN_COMPONENTS, driver_packages
from provision.resources.distro_archive import COMPONENTS_PATH, components_content
from provision.resources.driver import pin_content

DEBIAN_12 = find_distribution("debian", "12")
SUITES = ("bookworm", "bookworm-updates", "bookworm-security")
Apt = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def apt(tmp_path: Path, mirror_root: Path) -> Apt:
    """apt-get with a private state whose sources are the archive's `main` only: one-line
    for bookworm, deb822 for bookworm-security."""
    etc = tmp_path / "etc"
    for folder in ("etc/sources.list.d", "etc/preferences.d", "state/lists/partial",
                   "cache/archives/partial"):  # fmt: skip
        (tmp_path / folder).mkdir(parents=True)
    archive = f"file:{mirror_root}/debian"
    (etc / "sources.list").write_text(f"deb [trusted=yes] {archive} bookworm main\n")
    (etc / "sources.list.d/debian-security.sources").write_text(
        f"Types: deb\nURIs: file:{mirror_root}/debian-security\nSuites: bookworm-security\n"
        "Components: main\nTrusted: yes\n"
    )
    (tmp_path / "status").write_text("")
    options = [
        f"-oDir::Etc={etc}", f"-oDir::State={tmp_path / 'state'}",
        f"-oDir::State::status={tmp_path / 'status'}", f"-oDir::Cache={tmp_path / 'cache'}",
        "-oDebug::NoLocking=1", "-oAPT::Sandbox::User=root",
    ]  # fmt: skip

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["apt-get", *options, *arguments],
                              capture_output=True, text=True, check=False)  # fmt: skip

    return run


def write_components_file(etc: Path) -> str:
    """provision's file, computed from the sources as the fact parser reads them."""
    sources = (
        *parse_one_line("/etc/apt/sources.list", (etc / "sources.list").read_text()),
        *parse_deb822(
            "/etc/apt/sources.list.d/debian-security.sources",
            (etc / "sources.list.d/debian-security.sources").read_text(),
        ),
    )
    content = components_content(sources, SUITES, DEBIAN_COMPONENTS)
    assert content is not None
    (etc / "sources.list.d" / Path(COMPONENTS_PATH).name).write_bytes(content)
    return content.decode()


def pin(etc: Path, version: str) -> tuple[str, ...]:
    assert DEBIAN_12 is not None
    names = driver_packages(DEBIAN_12, "distro", version, open_modules=False)
    (etc / "preferences.d/provision-nvidia-driver").write_bytes(pin_content(names, version))
    return tuple(f"{name}={version}-*" for name in names.install)


def installed(simulation: str) -> dict[str, str]:
    """`Inst NAME (VERSION ...)` lines of `apt-get -s install` as name -> version."""
    lines = (line.split() for line in simulation.splitlines() if line.startswith("Inst "))
    return {words[1]: words[2].lstrip("(") for words in lines}


def test_with_main_only_the_archive_offers_no_driver(apt: Apt) -> None:
    assert apt("update").returncode == 0
    result = apt("-s", "install", "nvidia-driver")
    assert result.returncode != 0
    assert "Unable to locate package nvidia-driver" in result.stderr


def test_the_components_file_repeats_each_entry_and_its_trust(apt: Apt, tmp_path: Path) -> None:
    content = write_components_file(tmp_path / "etc")
    assert content.count("Components: contrib non-free non-free-firmware\n") == 2
    assert content.count("Trusted: yes\n") == 2
    assert "Suites: bookworm\n" in content and "Suites: bookworm-security\n" in content
    update = apt("-o", "APT::Update::Error-Mode=any", "update")
    assert update.returncode == 0, update.stderr
    assert "Conflicting values" not in update.stderr


@pytest.mark.parametrize(
    ("version", "revision"), [("535.261.03", "1"), ("535.309.01", "0+deb12u1")]
)
def test_the_pinned_driver_set_installs_from_its_suite(
    apt: Apt, tmp_path: Path, version: str, revision: str
) -> None:
    write_components_file(tmp_path / "etc")
    assert apt("update").returncode == 0
    result = apt("-s", "install", *pin(tmp_path / "etc", version))
    assert result.returncode == 0, result.stdout + result.stderr
    found = installed(result.stdout)
    driver_set = {"nvidia-driver", "nvidia-driver-libs", "nvidia-driver-bin",
                  "nvidia-alternative", "nvidia-kernel-dkms", "nvidia-kernel-support",
                  "firmware-nvidia-gsp", "nvidia-smi", "libcuda1", "libnvidia-ml1"}  # fmt: skip
    assert {name: found[name] for name in driver_set} == dict.fromkeys(
        driver_set, f"{version}-{revision}"
    )
    # nvidia-modprobe and nvidia-persistenced come from their own source packages.
    assert found["nvidia-modprobe"] == "535.161.07-1~deb12u1"
    assert found["nvidia-persistenced"] == "535.171.04-1~deb12u1"
