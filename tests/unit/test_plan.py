"""The plan is plain data: it dumps to JSON and loads back equal, file bytes included."""

from __future__ import annotations

import base64
import json

import pytest
from pydantic import ValidationError

from provision.plan import (
    BlockEdit,
    Change,
    Command,
    FileWrite,
    Handler,
    PathAction,
    Plan,
    Reboot,
    Unmanaged,
)


def _plan() -> Plan:
    return Plan(
        host="lab-01",
        changes=(
            Change(
                task="nouveau",
                resource="/etc/modprobe.d/blacklist-nouveau.conf",
                before=None,
                after="blacklisted",
                reason="no blacklist",
                needs_reboot=True,
                notifies=("rebuild-initramfs",),
                actions=(
                    FileWrite(path="/etc/x", content=b"\xff\x00binary\n", mode=0o600, diff="+x\n"),
                    Command(command="true", timeout_s=5, expect_exit=(0, 100)),
                ),
            ),
            Change(
                task="shell-profile",
                resource="/root/.bashrc",
                before=None,
                after="CUDA 11.8",
                reason="no block",
                actions=(BlockEdit(path="/root/.bashrc", block=b"export A=1\n", owner="root"),),
            ),
            Change(
                task="reboot",
                resource="host",
                before="reboot pending",
                after="rebooted",
                reason="driver installed",
                needs_reboot=True,
                actions=(Reboot(reason="driver installed"),),
            ),
        ),
        handlers=(
            Handler(name="rebuild-initramfs", commands=(Command(command="update-initramfs -u"),)),
        ),
        unmanaged=(Unmanaged(kind="conda-env", resource="/opt/conda/envs/old", detail="env old"),),
        warnings=("w",),
    )


def test_a_plan_round_trips_through_json() -> None:
    plan = _plan()
    text = plan.model_dump_json()
    assert Plan.model_validate_json(text) == plan
    document = json.loads(text)
    content = document["changes"][0]["actions"][0]["content"]
    assert base64.urlsafe_b64decode(content) == b"\xff\x00binary\n"
    assert [action["kind"] for action in document["changes"][0]["actions"]] == ["file", "command"]


def test_plan_properties() -> None:
    plan = _plan()
    assert plan.changed
    assert plan.reboot_required
    assert plan.handler("rebuild-initramfs").commands[0].command == "update-initramfs -u"
    with pytest.raises(KeyError):
        plan.handler("missing")
    empty = Plan(host="lab-02")
    assert not empty.changed and not empty.reboot_required


def test_plans_are_immutable_and_strict() -> None:
    plan = _plan()
    with pytest.raises(ValidationError):
        plan.host = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Command.model_validate({"command": "true", "shell": "bash"})
    with pytest.raises(ValidationError):
        Change.model_validate(
            {"task": "t", "resource": "r", "before": None, "after": None, "reason": "x",
             "actions": [{"kind": "teleport"}]}
        )  # fmt: skip


def test_file_writes_and_block_edits_share_their_file_fields() -> None:
    shared = {"path", "owner", "group", "mode", "diff"}
    for action in (FileWrite, BlockEdit):
        assert issubclass(action, PathAction)
        assert shared <= set(action.model_fields)
    assert set(PathAction.model_fields) == shared
    edit = BlockEdit(path="/root/.bashrc", block=b"export A=1\n", owner="ops", mode=0o600)
    loaded = BlockEdit.model_validate_json(edit.model_dump_json())
    assert (loaded.path, loaded.owner, loaded.group, loaded.mode) == (
        "/root/.bashrc",
        "ops",
        None,
        0o600,
    )
