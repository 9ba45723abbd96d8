"""`reconcile`: order, refusal, unmanaged/prune, reboots, the whole workstation from a fresh
host, and the converged host's empty plan."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent / "resources"))

from host_facts import ROOT, fresh_host, recorded, state

from provision.facts.model import Facts
from provision.models import parse_host_state
from provision.models.sources import NVIDIA_APT_BASE
from provision.plan import BlockEdit, Command, FileWrite, Plan, Reboot
from provision.playbook import load_playbook
from provision.reconcile import facts_request, reconcile
from provision.tasks.nvidia_keyring import KEYRING_PATH
from provision.templating import VariableResolver

GOLDEN_PLAN = Path(__file__).parent / "resources" / "plans" / "fresh-host-workstation.json"
ORDER = [
    "nouveau",
    "apt-repository",
    "driver-purge",
    "driver",
    "reboot",
    "cuda",
    "cudnn",
    "active-cuda",
    "shell-profile",
    "conda",
    "conda-env",
    "pytorch",
    "libtorch",
]


def command_list(plan: Plan) -> list[str]:
    """The plan as a reader checks it: one line per change, then one per action."""
    lines = []
    for change in plan.changes:
        lines.append(f"[{change.task}] {change.resource}")
        for action in change.actions:
            if isinstance(action, Command):
                lines.append(f"  $ {action.command}")
            elif isinstance(action, FileWrite | BlockEdit):
                lines.append(f"  {action.kind} {action.path} (mode {action.mode:o})")
            elif isinstance(action, Reboot):
                lines.append(f"  reboot: {action.reason}")
    return lines


def _tasks(plan: Plan) -> list[str]:
    return [change.task for change in plan.changes]


def test_the_workstation_from_a_fresh_host_matches_the_golden_command_list() -> None:
    plan = reconcile(state(), fresh_host(), host="lab-01")
    assert plan.refused is None
    assert command_list(plan) == json.loads(GOLDEN_PLAN.read_text())


def test_the_workstation_plan_follows_the_dependency_order() -> None:
    plan = reconcile(state(), fresh_host())
    positions = [ORDER.index(task) for task in _tasks(plan)]
    assert positions == sorted(positions)
    assert set(_tasks(plan)) == set(ORDER) - {"driver-purge"}
    assert [handler.name for handler in plan.handlers] == ["rebuild-initramfs"]
    assert sum(isinstance(a, Reboot) for c in plan.changes for a in c.actions) == 1


def test_a_converged_host_gets_an_empty_plan() -> None:
    desired = state()
    plan = reconcile(desired, recorded("converged"), host="lab-01")
    assert plan == Plan(host="lab-01")
    assert not plan.changed


def test_reconcile_is_pure() -> None:
    desired, facts = state(), fresh_host()
    assert reconcile(desired, facts) == reconcile(desired, facts)


def test_every_command_is_well_formed_shell() -> None:
    plan = reconcile(state({"prune": True}), fresh_host())
    commands = [a.command for c in plan.changes for a in c.actions if isinstance(a, Command)]
    assert commands
    for line in commands:
        assert shlex.split(line)


@pytest.mark.parametrize(
    ("os", "message"),
    [
        ({"id": "centos", "version_id": "7", "pretty_name": "CentOS Linux 7"}, "CentOS Linux 7"),
        ({"id": "ubuntu", "version_id": "18.04", "pretty_name": None}, "ubuntu 18.04"),
        ({"id": None, "version_id": None, "pretty_name": None}, "unknown"),
    ],
)
def test_an_unsupported_os_is_refused_before_any_change(os: dict[str, str], message: str) -> None:
    plan = reconcile(state(), fresh_host({"os": os}))
    assert plan.refused is not None
    assert message in plan.refused and "not supported" in plan.refused
    assert plan.changes == ()


@pytest.mark.parametrize(
    ("os_id", "version"), [("ubuntu", "20.04"), ("ubuntu", "22.04"), ("ubuntu", "24.04")]
)
def test_supported_ubuntu_releases_use_their_nvidia_repository(os_id: str, version: str) -> None:
    desired = state({"sources": {"apt_repository": None}}, {"cuda_toolkit_source": "runfile"})
    plan = reconcile(desired, fresh_host({"os": {"id": os_id, "version_id": version}}))
    repository = next(c for c in plan.changes if c.task == "apt-repository")
    distro = f"ubuntu{version.replace('.', '')}"
    assert repository.after == f"{NVIDIA_APT_BASE}/{distro}/x86_64/"
    listing = next(a for a in repository.actions if isinstance(a, FileWrite))
    assert listing.content.decode().endswith(
        f"deb [signed-by={KEYRING_PATH}] {NVIDIA_APT_BASE}/{distro}/x86_64/ /\n"
    )


@pytest.mark.parametrize(
    ("os_id", "version", "named"),
    [("ubuntu", "24.04", "ubuntu2404 repository (Ubuntu 24.04)"),
     ("debian", "12", "debian12 repository (Debian 12)")],
)  # fmt: skip
def test_a_toolkit_nvidias_repository_lacks_is_refused_naming_the_distro(
    os_id: str, version: str, named: str
) -> None:
    desired = state({"sources": {"apt_repository": None}})
    plan = reconcile(desired, fresh_host({"os": {"id": os_id, "version_id": version}}))
    assert plan.refused is not None
    assert named in plan.refused and "no CUDA 11.7" in plan.refused
    assert "with source runfile" in plan.refused
    assert plan.changes == ()


def test_a_repository_of_the_states_own_is_not_judged_by_nvidias_contents() -> None:
    plan = reconcile(state(), fresh_host({"os": {"id": "debian", "version_id": "12"}}))
    assert plan.refused is None
    assert any(c.task == "cuda" and "(apt)" in c.reason for c in plan.changes)


@pytest.mark.parametrize(
    ("os_id", "version"),
    [("ubuntu", "20.04"), ("ubuntu", "22.04"), ("ubuntu", "24.04"), ("debian", "12")],
)
def test_the_notes_playbook_plans_on_every_supported_distribution(os_id: str, version: str) -> None:
    play = load_playbook(ROOT / "playbooks/workstation.yaml").plays[0]
    document = VariableResolver(dict(play.vars)).render(play.state, "state")
    desired = parse_host_state(document, "playbooks/workstation.yaml")
    plan = reconcile(desired, fresh_host({"os": {"id": os_id, "version_id": version}}))
    assert plan.refused is None
    toolkits = [c for c in plan.changes if c.task == "cuda"]
    assert len(toolkits) == 3 and all("(runfile)" in c.reason for c in toolkits)


def test_another_architecture_is_refused() -> None:
    plan = reconcile(state(), fresh_host({"kernel": {"architecture": "arm64"}}))
    assert plan.refused == "architecture arm64 is not supported (supported: amd64)"


def test_gpus_the_driver_cannot_run_are_refused() -> None:
    gpu = {"name": "Tesla K80", "bus_id": "0000:01:00.0", "uuid": None, "video_bios": None,
           "minor": 0}  # fmt: skip
    plan = reconcile(state(), fresh_host({"nvidia": {"gpus": [gpu]}}))
    assert plan.refused is not None
    assert "Kepler ends with driver branch 470" in plan.refused
    assert plan.changes == ()


def test_a_held_dpkg_lock_is_waited_for_not_refused() -> None:
    holder = {"pid": 812, "path": "/var/lib/dpkg/lock-frontend", "command": "unattended-upgr"}
    plan = reconcile(state(), fresh_host({"apt": {"lock_holders": [holder], "lock_held": True}}))
    assert plan.refused is None and plan.changed
    assert any("process 812 (unattended-upgr)" in warning for warning in plan.warnings)
    apt = [a.command for c in plan.changes for a in c.actions if isinstance(a, Command)]
    assert all("DPkg::Lock::Timeout=300" in line for line in apt if "apt-get" in line)


def _undeclared_plan(prune: bool) -> Plan:
    """The plan for a converged host that also has CUDA 10.2, libcudnn7 and an env `old`."""
    desired = state({"prune": prune})
    facts = recorded("converged")
    document = facts.model_dump(mode="json")
    document["cuda"]["toolkits"].append(
        {
            "path": "/usr/local/cuda-10.2",
            "version": "10.2.89",
            "release": "10.2",
            "nvcc_version": None,
            "version_source": "version.txt",
            "nvcc": True,
            "cudnn": None,
        }
    )
    document["cudnn"]["packages"].append(
        {"name": "libcudnn7", "version": "7.6.5.32-1+cuda10.2", "cuda": "10.2"}
    )
    document["conda"]["envs"].append(
        {
            "name": "old",
            "path": "/opt/conda/envs/old",
            "python": "3.8.10",
            "pytorch": None,
            "pytorch_cuda": None,
            "cudatoolkit": None,
            "pip_torch": None,
        }
    )
    return reconcile(desired, type(facts).model_validate(document))


def test_undeclared_toolkits_cudnn_and_envs_are_reported_and_kept_without_prune() -> None:
    kept = _undeclared_plan(prune=False)
    assert kept.changes == ()
    assert [(u.kind, u.resource, u.pruned) for u in kept.unmanaged] == [
        ("cuda-toolkit", "/usr/local/cuda-10.2", False),
        ("cudnn", "libcudnn7", False),
        ("conda-env", "/opt/conda/envs/old", False),
    ]


def test_prune_removes_what_is_not_declared() -> None:
    pruned = _undeclared_plan(prune=True)
    assert [(c.task, c.resource) for c in pruned.changes] == [
        ("cuda", "/usr/local/cuda-10.2"),
        ("cudnn", "undeclared cuDNN packages"),
        ("conda-env", "/opt/conda/envs/old"),
    ]
    assert all(u.pruned for u in pruned.unmanaged)


def test_a_driver_upgrade_on_debian_names_changes_the_set_in_place_and_reboots_once() -> None:
    desired = state({"driver": {"version": "550.54.15"}})
    plan = reconcile(desired, recorded("converged"))
    assert _tasks(plan) == ["apt-repository", "driver", "reboot"]
    driver = plan.changes[1]
    assert driver.reason.startswith("driver 535.154.05 installed, 550.54.15 wanted (install of ")
    kinds = [type(action).__name__ for action in driver.actions]
    assert kinds == ["FileWrite", "Command", "Command", "Command"]
    release, install, hold = (a.command for a in driver.actions if isinstance(a, Command))
    assert release.startswith(
        "apt-mark unhold libcuda1 nvidia-driver nvidia-kernel-dkms nvidia-smi"
    )
    assert "'nvidia-driver=550.54.15-*'" in install and "--allow-downgrades" not in install
    assert hold.startswith("apt-mark hold nvidia-driver nvidia-kernel-dkms nvidia-smi libcuda1")
    assert plan.changes[2].reason == driver.reason


def test_a_runfile_driver_beside_a_loaded_nouveau_reboots_before_and_after() -> None:
    plan = reconcile(state({"driver": {"source": "runfile"}}), fresh_host())
    tasks = _tasks(plan)
    assert tasks[: tasks.index("cuda")] == [
        "nouveau", "apt-repository", "reboot", "driver", "reboot",
    ]  # fmt: skip
    assert "refuses to run beside it" in plan.changes[2].reason


def test_nouveau_still_loaded_on_a_converged_host_needs_only_a_reboot() -> None:
    desired = state()
    plan = reconcile(desired, recorded("converged", {"kernel": {"nouveau": {"loaded": True}}}))
    assert _tasks(plan) == ["reboot"]


def test_a_reboot_an_earlier_run_left_pending_is_planned_until_the_host_reboots() -> None:
    desired = state()
    left = recorded("converged", {"provision": {"reboot_pending": "nouveau is loaded"}})
    plan = reconcile(desired, left)
    assert _tasks(plan) == ["reboot"]
    assert plan.changes[0].reason == "an earlier run left a reboot pending: nouveau is loaded"
    assert reconcile(desired, recorded("converged")).changes == ()


def test_no_driver_declared_plans_no_nvidia_changes() -> None:
    document: dict[str, Any] = {
        "driver": None, "cuda_toolkits": [], "active_cuda": None, "cudnn=": {},
        "libtorch": None, "shell_profile": {"users": []},
    }  # fmt: skip
    plan = reconcile(state(document), fresh_host())
    assert _tasks(plan) == ["conda", "conda-env", "pytorch"]


def test_warnings_name_exports_outside_the_block_and_unknown_users() -> None:
    desired = state()
    line = {"number": 3, "text": "export PATH=/usr/local/cuda-12.1/bin:$PATH"}
    document = recorded("converged").model_dump(mode="json")
    document["shell"][0]["files"][0]["unmanaged_exports"] = [line]
    document["shell"][1]["home"] = None
    plan = reconcile(desired, Facts.model_validate(document))
    assert "/root/.bashrc line 3 sets CUDA outside the managed block" in plan.warnings[0]
    assert any("user 'ops' is not on the host" in warning for warning in plan.warnings)


def test_released_holds_are_restored_without_touching_apt_sources() -> None:
    desired = state()
    plan = reconcile(desired, recorded("converged", {"apt": {"held": []}}))
    assert [(c.task, c.after) for c in plan.changes] == [
        ("driver", "535.154.05"),
        ("cudnn", "held"),
    ]
    commands = [a.command for c in plan.changes for a in c.actions if isinstance(a, Command)]
    assert all(line.startswith("apt-mark hold ") for line in commands)


def test_cudnn_inside_a_toolkit_without_a_declared_build_is_unmanaged() -> None:
    document = recorded("converged").model_dump(mode="json")
    document["cudnn"] = {"system": [], "packages": []}
    for toolkit in document["cuda"]["toolkits"]:
        toolkit["cudnn"] = None
    document["apt"]["held"] = [name for name in document["apt"]["held"] if "cudnn" not in name]
    document["cuda"]["toolkits"][1]["cudnn"] = {
        "header": "/usr/local/cuda-11.8/include/cudnn_version.h",
        "version": "8.6.0",
        "major": 8,
    }
    plan = reconcile(state({"cudnn=": {}, "prune": True}), Facts.model_validate(document))
    assert plan.changes == ()
    assert [(u.kind, u.resource, u.pruned) for u in plan.unmanaged] == [
        ("cudnn", "/usr/local/cuda-11.8/include/cudnn_version.h", False)
    ]


def test_secure_boot_is_warned_about() -> None:
    plan = reconcile(state(), fresh_host({"kernel": {"secure_boot": True}}))
    assert any(warning.startswith("Secure Boot is on") for warning in plan.warnings)
    assert not any("Secure Boot" in w for w in reconcile(state(), fresh_host()).warnings)


def test_facts_request_asks_for_what_the_plan_compares() -> None:
    request = facts_request(state())
    assert request.users == ("root", "ops")
    assert request.conda_prefix == "/opt/conda" and request.libtorch_path == "/opt/libtorch"
    assert request.files == (
        "/etc/modprobe.d/blacklist-nouveau.conf",
        "/etc/apt/sources.list.d/provision-cuda.list",
        "/etc/apt/preferences.d/provision-nvidia-driver",
    )


if __name__ == "__main__":
    plan = reconcile(state(), fresh_host(), host="lab-01")
    GOLDEN_PLAN.write_text(json.dumps(command_list(plan), indent=2) + "\n")
    print(f"wrote {GOLDEN_PLAN}")
