"""The notes' first route, "Additional Drivers": the distribution's own driver.

A Debian 12 host installed from the default media has only `main` in its sources, one
entry per suite (here `bookworm` one-line in sources.list, `bookworm-security` in a deb822
file), pointing at the lab's stand-in of Debian's archive. With `driver.source: distro`,
provision enables `contrib non-free non-free-firmware` for both in a file of its own,
leaving the host's files as they were, and installs Debian's driver set pinned to the
wanted release; a later release in `bookworm-security` is reached the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner
from tests.scenarios.conftest import Provision, write_inventory

pytestmark = pytest.mark.lab

DISTRO_PLAYBOOK = """\
- name: the distribution's driver
  hosts: all
  vars:
    driver_version: "535.261.03"
  state:
    driver: {version: "{{ driver_version }}", source: distro}
    sources: "{{ provision_sources }}"
"""
HOST_SOURCES = ("/etc/apt/sources.list", "/etc/apt/sources.list.d/debian-security.sources")
COMPONENTS_FILE = "/etc/apt/sources.list.d/provision-distro-components.sources"
DRIVER_SET = (
    "dpkg-query -W -f='${Version}\\n' nvidia-driver nvidia-driver-libs nvidia-driver-bin "
    "nvidia-alternative nvidia-kernel-dkms nvidia-kernel-support firmware-nvidia-gsp "
    "nvidia-smi libcuda1 libnvidia-ml1"
)
LOADED = "cat /sys/module/nvidia/version"


def debian_sources(lab: RunningLab) -> dict[str, str]:
    """The host's sources: the stand-in archive's `main` only, in both formats."""
    mirror = lab.state().mirror
    assert mirror is not None, "the lab runs no mirror server"
    return {
        HOST_SOURCES[0]: f"deb [trusted=yes] {mirror.url}/debian bookworm main\n",
        HOST_SOURCES[1]: f"Types: deb\nURIs: {mirror.url}/debian-security\n"
        "Suites: bookworm-security\nComponents: main\nTrusted: yes\n",
    }


@pytest.fixture
def distro_host(
    lab: RunningLab, new_host: Callable[..., LabHost], tmp_path: Path
) -> tuple[LabHost, Path, Path]:
    """A fresh lab host, its inventory and the distribution-driver playbook."""
    host = new_host()
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    playbook = tmp_path / "distro.yaml"
    playbook.write_text(DISTRO_PLAYBOOK)
    return host, inventory, playbook


def test_debians_own_driver_converges_with_its_components_enabled_beside_the_hosts_sources(
    lab: RunningLab, distro_host: tuple[LabHost, Path, Path], ssh: SshRunner,
    provision: Provision,
) -> None:  # fmt: skip
    host, inventory, playbook = distro_host
    # Given a Debian 12 host whose sources carry Debian's archive with main only,
    for path, content in debian_sources(lab).items():
        ssh(host, f"printf '%s' '{content}' > {path}")
    before = {path: ssh(host, f"sha256sum {path}").stdout for path in HOST_SOURCES}
    # when the plan is for the distribution's driver,
    shown = provision("plan", str(playbook), "-i", str(inventory), "--detailed-exitcode")
    # then it enables the components and installs Debian's package names,
    assert shown.code == 3, shown.out + shown.err  # changes pending
    assert "distro-archive " + COMPONENTS_FILE in shown.out
    assert "lack contrib, non-free, non-free-firmware" in shown.out
    assert "install of nvidia-driver, nvidia-kernel-dkms, nvidia-smi, libcuda1" in shown.out
    # and applying it converges: the driver set at Debian's 535.261.03-1, loaded after the reboot,
    applied = provision("apply", str(playbook), "-i", str(inventory), "--yes")
    assert applied.code == 0, applied.out + applied.err
    assert ssh(host, DRIVER_SET).stdout.split() == ["535.261.03-1"] * 10
    assert ssh(host, LOADED).stdout.strip() == "535.261.03"
    # with the components in provision's file and the host's own files untouched,
    added = ssh(host, f"cat {COMPONENTS_FILE}").stdout
    assert added.count("Components: contrib non-free non-free-firmware") == 2
    assert {path: ssh(host, f"sha256sum {path}").stdout for path in HOST_SOURCES} == before
    again = provision("plan", str(playbook), "-i", str(inventory), "--detailed-exitcode")
    assert again.code == 0, again.out
    # and the security suite's later release is reached by its version alone.
    upgrade = provision("apply", str(playbook), "-i", str(inventory), "--yes",
                        "-e", "driver_version=535.309.01")  # fmt: skip
    assert upgrade.code == 0, upgrade.out + upgrade.err
    assert ssh(host, DRIVER_SET).stdout.split() == ["535.309.01-0+deb12u1"] * 10
    assert ssh(host, LOADED).stdout.strip() == "535.309.01"


def test_a_host_without_debians_archive_in_its_sources_is_refused_naming_the_distribution(
    distro_host: tuple[LabHost, Path, Path], ssh: SshRunner, provision: Provision
) -> None:
    host, inventory, playbook = distro_host
    # Given a host whose apt sources have no entry of Debian's archive (the lab's own),
    listing = ssh(host, "ls -A /etc/apt/sources.list.d").stdout
    # when the distribution's driver is applied,
    result = provision("apply", str(playbook), "-i", str(inventory), "--yes")
    # then the host is refused, naming the distribution and the files read,
    assert result.code == 1, result.out + result.err
    assert "needs Debian 12's archive" in result.out + result.err
    assert "has a bookworm entry with main" in result.out + result.err
    # and nothing was added to its sources or installed.
    assert ssh(host, "ls -A /etc/apt/sources.list.d").stdout == listing
    assert ssh(host, "dpkg -s nvidia-driver", check=False).returncode != 0
