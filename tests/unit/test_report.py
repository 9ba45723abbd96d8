"""The `--report` JSON document and the recap."""

from __future__ import annotations

import json
from pathlib import Path

from provision.report import (
    AppliedChange,
    HostOutcome,
    HostStatus,
    merge_outcomes,
    recap_lines,
    report_document,
    write_report,
)

DRIVER = AppliedChange("driver", "NVIDIA driver (apt)", None, "535.154.05")
REBOOT = AppliedChange("reboot", "host", "reboot pending", "rebooted")


def outcomes() -> list[HostOutcome]:
    return [
        HostOutcome(
            "lab-01",
            HostStatus.CHANGED,
            (DRIVER, REBOOT),
            reboots=1,
            duration_s=12.34,
            timings={"connect": 0.1, "facts": 0.4, "apply": 8.0, "reboot": 3.8},
        ),
        HostOutcome("lab-02", HostStatus.OK, duration_s=0.5),
        HostOutcome("lab-03", HostStatus.UNREACHABLE, error="host 'lab-03' unreachable (refused)"),
    ]


def test_the_report_has_the_documented_shape(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_report(path, report_document(outcomes(), run_id="r1", playbook_sha256="ab",
                                       interrupted=False))  # fmt: skip
    document = json.loads(path.read_text())
    first = document["hosts"]["lab-01"]
    assert first == {
        "status": "changed",
        "changes": [
            {"task": "driver", "resource": "NVIDIA driver (apt)", "before": None,
             "after": "535.154.05"},
            {"task": "reboot", "resource": "host", "before": "reboot pending",
             "after": "rebooted"},
        ],
        "reboots": 1,
        "duration_s": 12.34,
        "error": None,
        "notes": [],
        "timings": {"connect": 0.1, "facts": 0.4, "apply": 8.0, "reboot": 3.8},
    }  # fmt: skip
    assert document["hosts"]["lab-02"]["changes"] == []
    assert document["hosts"]["lab-03"]["status"] == "unreachable"
    summary = document["summary"]
    assert summary["hosts"] == 3 and summary["changes"] == 2 and summary["reboots"] == 1
    assert (summary["ok"], summary["changed"], summary["unreachable"]) == (1, 1, 1)
    assert summary["failed"] == 0 and summary["reboot-pending"] == 0
    assert summary["run_id"] == "r1" and summary["interrupted"] is False
    assert [entry.name for entry in tmp_path.iterdir()] == ["report.json"]


def test_the_recap_has_a_line_per_host_and_the_totals() -> None:
    lines = recap_lines(outcomes())
    assert lines[0] == "RECAP"
    assert lines[1].split() == ["lab-01", ":", "changed", "changed=2", "reboots=1",
                                "time=12.3s"]  # fmt: skip
    assert "error: host 'lab-03' unreachable (refused)" in lines[4]
    assert lines[-1] == "hosts=3: ok=1, changed=1, reboot-pending=0, failed=0, unreachable=1"


def test_a_host_of_two_plays_gets_the_worse_status_and_every_change() -> None:
    merged = merge_outcomes(
        HostOutcome("h", HostStatus.CHANGED, (DRIVER,), reboots=1, duration_s=1.0,
                    timings={"facts": 0.25, "apply": 0.75}),
        HostOutcome("h", HostStatus.REBOOT_PENDING, (REBOOT,), duration_s=2.0,
                    timings={"facts": 0.5}),
    )  # fmt: skip
    assert merged.status is HostStatus.REBOOT_PENDING
    assert merged.changes == (DRIVER, REBOOT) and merged.reboots == 1
    assert merged.duration_s == 3.0
    assert merged.timings == {"facts": 0.75, "apply": 0.75}
