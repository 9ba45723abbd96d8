"""The bounded pool's Ctrl-C handling, and the plan as people read it."""

from __future__ import annotations

import _thread
import threading
import time

from fake_host import block_change, command_change, plan, reboot

from provision.plan import Change, FileWrite
from provision.runner.fleet import run_pool
from provision.runner.plan_view import plan_lines


def test_the_pool_keeps_the_order_of_its_items() -> None:
    stop = threading.Event()
    results = run_pool([3, 1, 2], lambda item: item * 10, forks=3, stop=stop)
    assert results == [30, 10, 20] and not stop.is_set()


def test_ctrl_c_sets_stop_lets_the_running_item_finish_and_skips_the_rest() -> None:
    stop = threading.Event()
    finished: list[int] = []

    def work(item: int) -> int:
        if item == 1:
            _thread.interrupt_main()
            deadline = time.monotonic() + 5
            while not stop.is_set() and time.monotonic() < deadline:
                time.sleep(0.01)
        finished.append(item)
        return item

    results = run_pool([1, 2, 3], work, forks=1, stop=stop)
    assert stop.is_set()
    assert results == [1, None, None]
    assert finished == [1]


def test_the_plan_shows_each_change_and_diffs_only_when_asked() -> None:
    write = Change(
        task="nouveau", resource="/etc/modprobe.d/blacklist-nouveau.conf", before="absent",
        after="blacklisted", reason="no blacklist",
        actions=(FileWrite(path="/etc/x", content=b"a\n", diff="--- /dev/null\n+++ /etc/x\n+a\n"),),
    )  # fmt: skip
    shown = plan(write, command_change("b", notifies=("rebuild",)), reboot(),
                 block_change("/root/.bashrc"))  # fmt: skip
    lines = plan_lines(shown, diff=False)
    assert lines[0] == "node-1: 4 changes, reboot needed"
    assert "  ~ nouveau /etc/modprobe.d/blacklist-nouveau.conf: absent -> blacklisted" in lines
    assert "      notifies: rebuild" in lines
    assert "  ~ shell-profile /root/.bashrc: (none) -> CUDA" in lines
    assert "      +a" not in lines
    assert "      +a" in plan_lines(shown, diff=True)


def test_an_empty_and_a_refused_plan_say_so() -> None:
    assert plan_lines(plan(), diff=True) == ["node-1: up to date (0 changes)"]
    refused = plan(refused="CentOS 7 is not supported")
    assert plan_lines(refused, diff=True) == ["node-1: refused: CentOS 7 is not supported"]
