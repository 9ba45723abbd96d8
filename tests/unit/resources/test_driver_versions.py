"""The driver's whole set at one point release: upgrades and downgrades within a branch,
the pin, and whose holds provision may release (only its own)."""

from __future__ import annotations

from typing import Any

from host_facts import fresh_host, state

from provision.plan import Command, FileWrite, Plan
from provision.reconcile import reconcile
from provision.resources.driver import PIN_PATH

DEBIAN_SET = ("nvidia-driver", "nvidia-kernel-dkms", "nvidia-smi", "libcuda1", "libnvidia-ml1",
              "firmware-nvidia-gsp", "nvidia-kernel-support", "nvidia-alternative")  # fmt: skip


def installed(version: str, names: tuple[str, ...] = DEBIAN_SET) -> list[dict[str, Any]]:
    return [
        {"name": name, "version": version, "want": "install", "state": "installed"}
        for name in names
    ]


def host(packages: list[dict[str, Any]], held: list[str], own: list[str], **more: Any) -> Any:
    return fresh_host(
        {
            "nvidia": {"packages": packages},
            "apt": {"held": held},
            "provision": {"holds": own},
            **more,
        }
    )


def commands(plan: Plan, task: str) -> list[str]:
    return [
        action.command
        for change in plan.changes
        if change.task == task
        for action in change.actions
        if isinstance(action, Command)
    ]


HOLDS = ["nvidia-driver", "nvidia-kernel-dkms", "nvidia-smi", "libcuda1"]


def test_going_back_to_the_older_point_release_is_planned_as_a_downgrade() -> None:
    plan = reconcile(state(), host(installed("535.161.07-1"), HOLDS, HOLDS))
    (change,) = [c for c in plan.changes if c.task == "driver"]
    assert "downgrade" in change.reason and change.before == "535.161.07"
    install = next(c for c in commands(plan, "driver") if " install " in c)
    assert "--allow-downgrades" in install
    assert install.endswith(
        "'nvidia-driver=535.154.05-*' 'nvidia-kernel-dkms=535.154.05-*' "
        "'nvidia-smi=535.154.05-*' 'libcuda1=535.154.05-*'"
    )
    release = commands(plan, "driver")[0]
    assert release.startswith("apt-mark unhold libcuda1 nvidia-driver nvidia-kernel-dkms")
    pin = next(a for a in change.actions if isinstance(a, FileWrite))
    assert pin.path == PIN_PATH and b"Pin: version 535.154.05-*" in pin.content
    assert not [c for c in plan.changes if c.task == "driver-purge"]


def test_a_newer_point_release_is_an_upgrade_in_place() -> None:
    plan = reconcile(
        state({"driver": {"version": "535.161.07"}}), host(installed("535.154.05-1"), HOLDS, HOLDS)
    )
    install = next(c for c in commands(plan, "driver") if " install " in c)
    assert "--allow-downgrades" not in install
    assert not [c for c in plan.changes if c.task == "driver-purge"]


def test_no_install_overrides_a_hold() -> None:
    plan = reconcile(state(), host(installed("535.161.07-1"), HOLDS, HOLDS))
    every = [command for change in plan.changes for command in commands(plan, change.task)]
    assert not any("--allow-change-held-packages" in command for command in every)


def test_an_admins_hold_on_a_package_the_change_needs_stops_the_plan_with_its_name() -> None:
    plan = reconcile(
        state(), host(installed("535.161.07-1"), [*HOLDS, "nvidia-smi"], ["nvidia-driver"])
    )
    assert plan.refused is not None
    assert "libcuda1, nvidia-kernel-dkms, nvidia-smi are held, not by provision" in plan.refused
    assert "apt-mark unhold libcuda1 nvidia-kernel-dkms nvidia-smi" in plan.refused
    assert plan.changes == ()


def test_holds_on_packages_provision_does_not_manage_are_no_concern() -> None:
    plan = reconcile(state(), host(installed("535.161.07-1"), [*HOLDS, "linux-image-amd64"], HOLDS))
    assert plan.refused is None


def test_hold_false_releases_provisions_own_holds_only() -> None:
    facts = host(installed("535.154.05-1"), HOLDS, ["nvidia-driver", "libcuda1"])
    plan = reconcile(state({"driver": {"hold": False}}), facts)
    driver = commands(plan, "driver")
    assert driver == [
        c for c in driver if c.startswith("apt-mark unhold libcuda1 nvidia-driver &&")
    ]
    assert len(driver) == 1
    assert any("nvidia-kernel-dkms, nvidia-smi stay held" in warning for warning in plan.warnings)


def test_a_converged_driver_whose_pin_is_missing_gets_only_the_pin() -> None:
    plan = reconcile(state(), host(installed("535.154.05-1"), HOLDS, HOLDS))
    (change,) = [c for c in plan.changes if c.task == "driver"]
    assert [type(a).__name__ for a in change.actions] == ["FileWrite"]
    assert not change.needs_reboot


def test_another_branch_with_the_same_debian_names_is_changed_in_place() -> None:
    plan = reconcile(state(), host(installed("550.54.15-1"), HOLDS, HOLDS))
    assert not [c for c in plan.changes if c.task == "driver-purge"]
    assert "--allow-downgrades" in next(c for c in commands(plan, "driver") if " install " in c)


def test_an_ubuntu_host_purges_the_old_branchs_names() -> None:
    names = ("nvidia-driver-550", "nvidia-dkms-550", "nvidia-utils-550", "libnvidia-compute-550")
    facts = host(
        installed("550.54.15-0ubuntu1", names), [], [], os={"id": "ubuntu", "version_id": "22.04"}
    )
    plan = reconcile(state(), facts)
    purge = next(c for c in plan.changes if c.task == "driver-purge")
    assert purge.before == ", ".join(sorted(names))
    install = next(c for c in commands(plan, "driver") if " install " in c)
    assert "nvidia-driver-535=" in install and "nvidia-utils-535=" in install


def test_from_590_nvidias_pinning_package_goes_in_first() -> None:
    facts = host([], [], [], os={"id": "ubuntu", "version_id": "24.04"})
    desired = state({"driver": {"version": "590.48.01"}, "sources": {"apt_repository": None}},
                    {"cuda_toolkit_source": "runfile"})  # fmt: skip
    driver = commands(reconcile(desired, facts), "driver")
    assert "install nvidia-driver-pinning-590.48.01" in driver[0]
    assert "'nvidia-driver=590.48.01-*'" in driver[1]


def test_canonicals_server_flavour_is_installed_by_its_names() -> None:
    jammy = {
        "file": "/etc/apt/sources.list",
        "types": ["deb"],
        "suites": ["jammy"],
        "uris": ["http://archive.example/ubuntu"],
        "components": ["main"],
        "options": [],
    }
    facts = host([], [], [], os={"id": "ubuntu", "version_id": "22.04"},
                 apt={"held": [], "sources=": [jammy]})  # fmt: skip
    desired = state({"driver": {"source": "distro", "server": True}})
    install = next(c for c in commands(reconcile(desired, facts), "driver") if " install " in c)
    assert "'nvidia-driver-535-server=535.154.05-*'" in install
    assert "'nvidia-utils-535-server=535.154.05-*'" in install


def test_the_server_flavour_on_debian_is_refused_naming_the_distribution() -> None:
    plan = reconcile(state({"driver": {"server": True}}), host([], [], []))
    assert plan.refused == (
        "Debian 12 has no -server driver flavour (Debian's packages have one flavour)"
    )
