"""`driver.source: distro`: the components the distribution's driver needs, enabled beside the
host's own sources (never in them), and the host refused when it has no archive entry."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from host_facts import fresh_host, recorded, state

from provision.facts.apt_sources import parse_deb822, parse_one_line
from provision.facts.model import Facts
from provision.models import HostState
from provision.plan import Command, FileWrite
from provision.reconcile import reconcile
from provision.resources.distro_archive import COMPONENTS_PATH, plan_distro_archive

DISTRO = {"driver": {"source": "distro", "version": "535.261.03"}}
MAIN_ONLY = "deb http://archive.example/debian bookworm main\n"
SECURITY_DEB822 = (
    "Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\n"
    "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
)


def sources(**files: str) -> list[dict[str, Any]]:
    """Entries of source files (name -> text, `.sources` for deb822) as the facts hold them."""
    entries = []
    for name, text in files.items():
        if name.endswith("_sources"):
            path = f"/etc/apt/sources.list.d/{name.removesuffix('_sources')}.sources"
            entries += parse_deb822(path, text)
        else:
            entries += parse_one_line(f"/etc/apt/{name.replace('_', '.')}", text)
    return [json.loads(entry.model_dump_json()) for entry in entries]


def host(entries: list[dict[str, Any]], patch: dict[str, Any] | None = None) -> Facts:
    return fresh_host({"apt": {"sources=": entries}, **(patch or {})})


def components_file(content: str) -> dict[str, Any]:
    """The facts' record of provision's components file holding `content`."""
    data = content.encode()
    digest = hashlib.sha256(data).hexdigest()
    return {"files": [{"path": COMPONENTS_PATH, "state": "file", "mode": "644", "owner": "root",
                       "group": "root", "size": len(data), "sha256": digest,
                       "content": content}]}  # fmt: skip


def distro_state(patch: dict[str, Any] | None = None) -> HostState:
    return state({**DISTRO, **(patch or {})})


def written(facts: Facts) -> str:
    (change,) = plan_distro_archive(distro_state(), facts)
    (write,) = [action for action in change.actions if isinstance(action, FileWrite)]
    assert write.path == COMPONENTS_PATH
    return write.content.decode()


def test_a_main_only_host_gets_every_component_for_each_suite_in_its_own_file() -> None:
    content = written(host(sources(sources_list=MAIN_ONLY, security_sources=SECURITY_DEB822)))
    stanzas = content.split("\n\n")
    assert stanzas[0].splitlines()[2:] == [
        "Types: deb",
        "URIs: http://archive.example/debian",
        "Suites: bookworm",
        "Components: contrib non-free non-free-firmware",
    ]
    # The deb822 entry's Signed-By is repeated, as apt requires for one URI and suite.
    assert stanzas[1].splitlines() == [
        "Types: deb",
        "URIs: http://security.example/debian-security",
        "Suites: bookworm-security",
        "Components: contrib non-free non-free-firmware",
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
    ]


def test_only_what_is_missing_is_added_and_a_trailing_slash_is_the_same_uri() -> None:
    text = MAIN_ONLY + "deb http://archive.example/debian/ bookworm-updates main contrib\n"
    text += "deb http://archive.example/debian/ bookworm non-free-firmware\n"
    content = written(host(sources(sources_list=text)))
    assert "Suites: bookworm\nComponents: contrib non-free\n" in content
    assert "Suites: bookworm-updates\nComponents: non-free non-free-firmware\n" in content


def test_disabled_source_only_and_other_releases_entries_are_not_the_archive() -> None:
    text = (
        "deb-src http://archive.example/debian bookworm main\n"
        "deb http://archive.example/debian bullseye main\n"
        "deb [trusted=yes] http://127.0.0.1:8123/apt ./\n"
    )
    disabled = SECURITY_DEB822 + "Enabled: no\n"
    plan = reconcile(distro_state(), host(sources(sources_list=text, security_sources=disabled)))
    assert plan.refused is not None
    assert plan.refused.startswith("driver source 'distro' needs Debian 12's archive, but no apt")
    assert "/etc/apt/sources.list" in plan.refused
    assert "has a bookworm entry with main" in plan.refused


def test_a_host_whose_sources_already_carry_the_components_writes_nothing() -> None:
    full = "deb http://archive.example/debian bookworm main contrib non-free non-free-firmware\n"
    (change,) = plan_distro_archive(distro_state(), host(sources(sources_list=full)))
    assert [type(action) for action in change.actions] == [Command]
    assert "update" in change.actions[0].command  # type: ignore[union-attr]
    assert change.reason == "apt installs the distribution's driver 535.261.03"


def test_provisions_file_is_dropped_once_the_hosts_own_sources_carry_the_components() -> None:
    full = "deb http://archive.example/debian bookworm main contrib non-free non-free-firmware\n"
    ours = "Types: deb\nURIs: http://archive.example/debian\nSuites: bookworm\n"
    ours += "Components: contrib\n"
    entries = sources(sources_list=full) + sources(**{"provision-distro-components_sources": ours})
    facts = host(entries, components_file(ours))
    (change,) = plan_distro_archive(distro_state(), facts)
    assert change.after == "absent"
    assert change.actions[0].command == f"rm -f -- {COMPONENTS_PATH}"  # type: ignore[union-attr]


def test_the_file_provision_wrote_is_not_counted_as_the_hosts_and_stays_when_current() -> None:
    entries = sources(sources_list=MAIN_ONLY)
    content = written(host(entries))
    ours = sources(**{"provision-distro-components_sources": content})
    assert all(entry["file"] == COMPONENTS_PATH for entry in ours)
    facts = host(entries + ours, components_file(content))
    assert written(host(entries + ours)) == content
    (change,) = plan_distro_archive(distro_state(), facts)
    assert [type(action) for action in change.actions] == [Command]


@pytest.mark.parametrize("source", ["apt", "runfile"])
def test_other_driver_sources_leave_the_archive_alone(source: str) -> None:
    desired = state({"driver": {"source": source}})
    assert plan_distro_archive(desired, host(sources(sources_list=MAIN_ONLY))) == []


def test_ubuntu_gets_restricted_for_its_release_and_pockets() -> None:
    text = (
        "deb http://archive.example/ubuntu jammy main\n"
        "deb http://archive.example/ubuntu jammy-updates main restricted\n"
        "deb http://security.example/ubuntu jammy-security main\n"
    )
    facts = recorded(
        "fresh",
        {"os": {"id": "ubuntu", "version_id": "22.04", "version_codename": "jammy"},
         "apt": {"sources=": sources(sources_list=text)}},
    )  # fmt: skip
    (change,) = plan_distro_archive(state({"driver": {"source": "distro"}}), facts)
    (write,) = [action for action in change.actions if isinstance(action, FileWrite)]
    content = write.content.decode()
    assert "Suites: jammy\nComponents: restricted\n" in content
    assert "Suites: jammy-security\nComponents: restricted\n" in content
    assert "jammy-updates" not in content


def test_an_archive_entry_listed_twice_is_completed_once() -> None:
    twice = sources(sources_list=MAIN_ONLY, debian_list=MAIN_ONLY.replace("debian ", "debian/ "))
    content = written(host(twice))
    assert content.count("Suites: bookworm\n") == 1


def test_options_apt_wants_to_agree_are_repeated_and_the_entrys_architectures_are_not() -> None:
    snapshot = (
        "deb [arch=amd64 check-valid-until=no trusted=yes] "
        "http://snapshot.example/debian/20240601T000000Z bookworm main\n"
    )
    content = written(host(sources(sources_list=snapshot)))
    assert "Check-Valid-Until: no\nTrusted: yes\n" in content
    assert "Architectures" not in content


def test_a_failed_update_after_the_write_takes_provisions_file_away_again() -> None:
    (change,) = plan_distro_archive(distro_state(), host(sources(sources_list=MAIN_ONLY)))
    update = change.actions[-1]
    assert isinstance(update, Command)
    assert update.command.endswith(f"|| {{ rm -f -- {COMPONENTS_PATH}; exit 1; }}")
