"""Rolling batches and the failure threshold, against Ansible's documented behaviour.

The expected batches follow `PlaybookExecutor._get_serialized_batches` and
`pct_to_int` (lib/ansible/executor/playbook_executor.py, lib/ansible/utils/helpers.py):
a percentage is of all the play's hosts, rounded down but at least 1; the last step of a
list repeats until the hosts run out; no serial means one batch of every host.
"""

from __future__ import annotations

import pytest

from provision.runner.batches import Serial, batch_size, batches, stop_reason

HOSTS = [f"h{number}" for number in range(1, 11)]


@pytest.mark.parametrize(
    ("serial", "sizes"),
    [
        (None, [10]),
        ([], [10]),
        (1, [1] * 10),
        (3, [3, 3, 3, 1]),
        (20, [10]),
        ("30%", [3, 3, 3, 1]),
        ("25%", [2, 2, 2, 2, 2]),
        ("5%", [1] * 10),
        ("100%", [10]),
        ([1, 5, 10], [1, 5, 4]),
        ([1, "50%"], [1, 5, 4]),
        ([1, "25%", "100%"], [1, 2, 7]),
        ([2, 1], [2, 1, 1, 1, 1, 1, 1, 1, 1]),
        (["10%", "20%", "100%"], [1, 2, 7]),
    ],
)
def test_batches_follow_ansible(serial: Serial, sizes: list[int]) -> None:
    result = batches(HOSTS, serial)
    assert [len(batch) for batch in result] == sizes
    assert [host for batch in result for host in batch] == HOSTS


def test_the_documented_examples_of_three_and_four_hosts() -> None:
    assert batches(["host1", "host2", "host3"], [2, 1]) == [["host1", "host2"], ["host3"]]
    assert batches(["a", "b", "c", "d"], 2) == [["a", "b"], ["c", "d"]]


def test_no_hosts_means_no_batch() -> None:
    assert batches([], [1, "50%"]) == []


@pytest.mark.parametrize(
    ("step", "total", "size"),
    [("50%", 3, 1), ("50%", 5, 2), ("1%", 99, 1), ("99%", 10, 9), (4, 2, 4)],
)
def test_a_percentage_rounds_down_but_is_at_least_one(
    step: str | int, total: int, size: int
) -> None:
    assert batch_size(step, total) == size


@pytest.mark.parametrize(
    ("failed", "batch", "maximum", "stops"),
    [
        (0, 4, 0, False),
        (1, 4, 0, True),
        (1, 4, 25, False),
        (2, 4, 25, True),
        (1, 2, 50, False),
        (1, 3, 33, True),
        (1, 4, None, False),
        (3, 4, None, False),
        (4, 4, None, True),
        (1, 1, 100, True),
        (0, 0, 0, False),
    ],
)
def test_the_run_stops_when_the_failed_share_is_strictly_above_the_threshold(
    failed: int, batch: int, maximum: float | None, stops: bool
) -> None:
    reason = stop_reason(failed, batch, maximum)
    assert (reason is not None) == stops
    if reason is not None:
        assert f"{failed} of {batch}" in reason
