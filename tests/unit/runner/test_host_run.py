"""The runner against a recording fake host: order, handlers, reboots, convergence check."""

from __future__ import annotations

import threading
from typing import Any

from fake_host import (
    FakeHost,
    ScriptedPlanner,
    block_change,
    command_change,
    file_change,
    plan,
    reboot,
)

from provision.connection import CommandResult, LocalConnection
from provision.models import HostState
from provision.report import HostOutcome, HostStatus
from provision.runner.host_run import HostRun, RunSettings

FAST = RunSettings(reboot_poll_s=0.01, reboot_timeout_s=5)


def run(
    host: FakeHost,
    first: object,
    *later: object,
    settings: RunSettings = FAST,
    desired: HostState | None = None,
    stop: threading.Event | None = None,
) -> tuple[HostOutcome, ScriptedPlanner]:
    planner = ScriptedPlanner([*later] or [plan()])  # type: ignore[list-item]
    state = desired or HostState.model_validate({})
    outcome = HostRun(host, state, settings, stop, planner=planner).apply(first)  # type: ignore[arg-type]
    return outcome, planner


def test_changes_run_in_plan_order_then_convergence_is_checked() -> None:
    host = FakeHost()
    outcome, planner = run(host, plan(command_change("a"), file_change("/etc/b"),
                                      command_change("c")), plan())  # fmt: skip
    assert host.log == ["DPKG-WAIT", "echo a", "UPLOAD /etc/b", "echo c"]
    assert host.uploads["/etc/b"] == (b"x\n", "ops:ops", 0o600)
    assert outcome.status is HostStatus.CHANGED
    assert [change.resource for change in outcome.changes] == ["a", "/etc/b", "c"]
    assert planner.calls == ["boot-1"], "facts are gathered again once, after applying"


def test_an_empty_plan_changes_nothing_and_is_ok() -> None:
    host = FakeHost()
    outcome, planner = run(host, plan())
    assert host.log == [] and planner.calls == []
    assert outcome.status is HostStatus.OK and outcome.changes == ()


def test_handlers_run_once_after_the_changes_that_notify_them() -> None:
    host = FakeHost()
    first = plan(command_change("a", notifies=("rebuild",)), command_change("b"),
                 command_change("c", notifies=("rebuild",)))  # fmt: skip
    outcome, _ = run(host, first)
    assert host.log == ["DPKG-WAIT", "echo a", "echo b", "echo c", "echo handler-rebuild"]
    assert outcome.status is HostStatus.CHANGED


def test_handlers_still_run_when_a_later_change_fails() -> None:
    host = FakeHost(failing={"echo b": 100})
    first = plan(command_change("a", notifies=("rebuild",)), command_change("b"),
                 command_change("c"))  # fmt: skip
    outcome, planner = run(host, first)
    assert host.log == ["DPKG-WAIT", "echo a", "echo b", "echo handler-rebuild"]
    assert outcome.status is HostStatus.FAILED
    assert outcome.error is not None
    assert "task b" in outcome.error and "exited 100" in outcome.error
    assert "echo b broke" in outcome.error
    assert [change.resource for change in outcome.changes] == ["a"]
    assert planner.calls == [], "no convergence check after a failure"


def test_a_failing_handler_fails_the_host() -> None:
    host = FakeHost(failing={"handler-rebuild": 1})
    outcome, _ = run(host, plan(command_change("a", notifies=("rebuild",))))
    assert outcome.status is HostStatus.FAILED
    assert outcome.error is not None and "handler rebuild" in outcome.error


def test_reboot_waits_for_a_new_boot_id_then_plans_again_and_goes_on() -> None:
    host = FakeHost(down_probes=3)
    first = plan(command_change("blacklist", notifies=("rebuild",)), reboot(),
                 command_change("stale"))  # fmt: skip
    after_reboot = plan(command_change("cuda"))
    outcome, planner = run(host, first, after_reboot, plan())
    assert host.log == ["DPKG-WAIT", "echo blacklist", "echo handler-rebuild", "REBOOT",
                        "echo cuda"]  # fmt: skip
    assert planner.calls == ["boot-2", "boot-2"], "re-planned after the reboot, then verified"
    assert outcome.status is HostStatus.CHANGED
    assert outcome.reboots == 1
    assert [change.task for change in outcome.changes] == ["task", "reboot", "task"]


def test_facts_gathered_right_after_the_last_reboot_prove_convergence_when_nothing_is_left() -> (
    None
):
    host = FakeHost()
    outcome, planner = run(host, plan(command_change("driver"), reboot()), plan())
    assert outcome.status is HostStatus.CHANGED
    assert planner.calls == ["boot-2"], "the plan made after the reboot is the proof"


def test_a_refresh_done_before_the_reboot_is_not_repeated_after_it() -> None:
    host = FakeHost()
    update = command_change("apt-get update", task="apt-repository").model_copy(
        update={"once_per_run": True}
    )
    with_list = update.model_copy(update={"actions": (file_change("/etc/x").actions[0],
                                                      *update.actions)})  # fmt: skip
    again = update.model_copy(update={"reason": "apt installs CUDA 12.1"})
    first = plan(with_list, command_change("driver"), reboot())
    outcome, _ = run(host, first, plan(again, command_change("cuda")), plan())
    assert host.log == ["DPKG-WAIT", "UPLOAD /etc/x", "echo apt-get update", "echo driver",
                        "REBOOT", "echo cuda"]  # fmt: skip
    assert [change.resource for change in outcome.changes] == [
        "apt-get update", "driver", "host", "cuda"
    ]  # fmt: skip


def test_a_host_that_does_not_come_back_fails_with_the_reason() -> None:
    host = FakeHost(comes_back=False)
    settings = RunSettings(reboot_poll_s=0.01, reboot_timeout_s=0.3)
    outcome, _ = run(host, plan(command_change("driver"), reboot(), command_change("cuda")),
                     settings=settings)  # fmt: skip
    assert outcome.status is HostStatus.FAILED
    assert outcome.error is not None
    assert "did not come back with a new boot id within 0.3 s" in outcome.error
    assert "echo cuda" not in host.log


def test_reboot_never_leaves_the_host_reboot_pending_and_applies_the_rest() -> None:
    host = FakeHost()
    desired = HostState.model_validate({"reboot": "never"})
    outcome, _ = run(host, plan(command_change("driver"), reboot(), command_change("cuda")),
                     plan(reboot()), desired=desired)  # fmt: skip
    assert "REBOOT" not in host.log and "echo cuda" in host.log
    assert outcome.status is HostStatus.REBOOT_PENDING
    assert outcome.reboots == 0
    assert any("reboot: never" in note for note in outcome.notes)


def test_the_no_reboot_option_overrides_the_state() -> None:
    host = FakeHost()
    settings = RunSettings(reboot="never", reboot_poll_s=0.01)
    outcome, _ = run(host, plan(reboot()), plan(reboot()), settings=settings)
    assert "REBOOT" not in host.log
    assert outcome.status is HostStatus.REBOOT_PENDING


def test_a_change_that_did_not_take_fails_the_host_as_a_bug() -> None:
    host = FakeHost()
    outcome, _ = run(host, plan(command_change("a"), block_change("/root/.bashrc")),
                     plan(command_change("a")))  # fmt: skip
    assert outcome.status is HostStatus.FAILED
    assert outcome.error is not None
    assert "not converged" in outcome.error and "task a (a differs)" in outcome.error
    assert "bug in provision" in outcome.error


def test_a_refused_plan_touches_nothing() -> None:
    host = FakeHost()
    outcome, _ = run(host, plan(command_change("a"), refused="Ubuntu 18.04 is not supported"))
    assert host.log == []
    assert outcome.status is HostStatus.FAILED
    assert outcome.error == "refused: Ubuntu 18.04 is not supported"


def test_a_dropped_connection_marks_the_host_unreachable() -> None:
    host = FakeHost()
    host.drop_on = "echo b"
    outcome, _ = run(host, plan(command_change("a"), command_change("b"), command_change("c")))
    assert outcome.status is HostStatus.UNREACHABLE
    assert outcome.error is not None and "connection lost" in outcome.error
    assert "echo c" not in host.log


def test_ctrl_c_stops_before_the_next_change_and_still_runs_handlers() -> None:
    stop = threading.Event()
    host = FakeHost(on_command=lambda command: stop.set() if command == "echo a" else None)
    first = plan(command_change("a", notifies=("rebuild",)), command_change("b"))
    outcome, _ = run(host, first, stop=stop)
    assert host.log == ["DPKG-WAIT", "echo a", "echo handler-rebuild"]
    assert outcome.status is HostStatus.FAILED
    assert outcome.error == "interrupted: stopped before task b"
    assert [change.resource for change in outcome.changes] == ["a"]


def test_a_held_dpkg_lock_fails_the_host_naming_the_holder() -> None:
    host = FakeHost(failing={"DPKG-WAIT": 75})
    outcome, _ = run(host, plan(command_change("a")))
    assert outcome.status is HostStatus.FAILED
    assert outcome.error is not None
    assert "still held after 300 s by 4242: apt-get install x" in outcome.error
    assert "echo a" not in host.log


def test_endless_reboots_are_cut_off() -> None:
    host = FakeHost(down_probes=0)
    outcome, _ = run(host, plan(reboot()), plan(reboot()), settings=RunSettings(
        reboot_poll_s=0.01, max_reboots=2))  # fmt: skip
    assert outcome.reboots == 2
    assert outcome.status is HostStatus.FAILED
    assert outcome.error is not None and "still needs a reboot after 2 reboots" in outcome.error


class LocalFake(LocalConnection):
    """The control node (a `LocalConnection`) whose commands the fake host answers."""

    def __init__(self, host: FakeHost) -> None:
        super().__init__(name=host.name, is_root=True)
        self.host = host

    def run(self, command: str, **options: Any) -> CommandResult:
        return self.host.run(command, **options)

    def upload(self, data: bytes, path: str, **options: Any) -> None:
        self.host.upload(data, path, **options)


def test_the_control_node_is_not_rebooted_unless_allowed() -> None:
    host = FakeHost()
    planner = ScriptedPlanner([plan(reboot())])
    refused = HostRun(LocalFake(host), HostState.model_validate({}), FAST, planner=planner)
    outcome = refused.apply(plan(command_change("driver"), reboot()))
    assert "REBOOT" not in host.log
    assert outcome.status is HostStatus.REBOOT_PENDING
    assert any("--allow-local-reboot" in note for note in outcome.notes)

    allowed = RunSettings(allow_local_reboot=True, reboot_poll_s=0.01)
    planner = ScriptedPlanner([plan()])
    outcome = HostRun(LocalFake(host), HostState.model_validate({}), allowed,
                      planner=planner).apply(plan(reboot()))  # fmt: skip
    assert host.log[-1] == "REBOOT"
    assert outcome.status is HostStatus.CHANGED and outcome.reboots == 1
