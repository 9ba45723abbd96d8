"""Rolling batches: a play's `serial:` and `max_fail_percentage:`, as Ansible reads them.

`batches` splits a play's hosts the way Ansible's `_get_serialized_batches` does: each
step of `serial` is a count or a percentage of all the play's hosts (rounded down, at
least 1), the last step repeats until the hosts run out, and no `serial` means one
batch of every host. `stop_reason` decides after a batch whether the next may start:
Ansible stops when the failed share of the batch is strictly greater than
`max_fail_percentage` (so 0 stops on any failure), and also when every host of the
batch failed.
"""

from __future__ import annotations

from collections.abc import Sequence

SerialStep = int | str
Serial = SerialStep | Sequence[SerialStep] | None


def batch_size(step: SerialStep, total: int) -> int:
    """Hosts in one batch for `step` (5 or '25%') out of the play's `total` hosts; 0 or
    less means all the rest, as in Ansible."""
    if isinstance(step, str) and step.endswith("%"):
        return int(float(step[:-1]) / 100.0 * total) or 1
    return int(step)


def batches(hosts: list[str], serial: Serial) -> list[list[str]]:
    """The play's hosts in the batches `serial` asks for, in order."""
    if serial is None:
        steps: list[SerialStep] = [0]
    elif isinstance(serial, int | str):
        steps = [serial]
    else:
        steps = list(serial) or [0]
    remaining = list(hosts)
    result: list[list[str]] = []
    index = 0
    while remaining:
        size = batch_size(steps[index], len(hosts))
        if size <= 0:
            size = len(remaining)
        result.append(remaining[:size])
        remaining = remaining[size:]
        index = min(index + 1, len(steps) - 1)
    return result


def stop_reason(failed: int, batch: int, max_fail_percentage: float | None) -> str | None:
    """Why the run stops before the next batch after `failed` of `batch` hosts failed,
    or None when it goes on."""
    if batch == 0 or failed == 0:
        return None
    if failed == batch:
        return f"every host of the previous batch failed ({failed} of {batch})"
    if max_fail_percentage is not None and failed / batch * 100 > max_fail_percentage:
        return (
            f"{failed} of {batch} hosts of the previous batch failed "
            f"({failed / batch * 100:.0f}%), above max_fail_percentage {max_fail_percentage:g}"
        )
    return None
