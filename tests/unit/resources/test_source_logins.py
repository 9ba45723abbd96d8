"""A mirror's login goes to root's 0600 files only: planned as secret writes that no dump
of the plan shows, never in a command, and removed once the state names none."""

from __future__ import annotations

import hashlib
import json

from provision.facts.provision_state import NETRC_PATH
from provision.plan import FileWrite, Plan
from provision.reconcile import reconcile
from provision.resources.source_logins import APT_AUTH_PATH, plan_source_logins
from tests.unit.resources.host_facts import fresh_host, state

SECRET = "tok-5f2e9c"
LOGGED_IN = {"sources": {
    "apt_repository":
        f"deb [signed-by=/etc/apt/keyrings/m.gpg] https://ci:{SECRET}@m.example/apt ./",
    "apt_repository_trusted": False,
    "libtorch_base": f"https://ci:{SECRET}@m.example:8443/libtorch",
    "checksums=": {},
    "cudnn_tarball_base": "https://m.example/cudnn",
    "miniconda_installer_url": "https://m.example/conda/Miniconda3-latest-Linux-x86_64.sh",
    "pip_index_url": f"https://ci:{SECRET}@m.example/simple",
    "http_indexes_trusted": False,
}}  # fmt: skip


def secret_file(path: str, content: bytes) -> dict[str, object]:
    return {"path": path, "state": "file", "mode": "600", "owner": "root", "group": "root",
            "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
            "content": None}  # fmt: skip


def test_logins_are_written_as_secrets_into_apt_s_and_curl_s_files() -> None:
    changes = plan_source_logins(state(LOGGED_IN), fresh_host())
    writes = {change.resource: change.actions[0] for change in changes}
    assert set(writes) == {APT_AUTH_PATH, NETRC_PATH}
    apt, netrc = writes[APT_AUTH_PATH], writes[NETRC_PATH]
    assert isinstance(apt, FileWrite) and isinstance(netrc, FileWrite)
    assert apt.content == f"machine m.example login ci password {SECRET}\n".encode()
    assert netrc.content == f"machine m.example login ci password {SECRET}\n".encode()
    assert (apt.mode, netrc.mode, apt.secret, netrc.secret) == (0o600, 0o600, True, True)


def test_no_dump_of_the_plan_and_no_command_holds_the_login() -> None:
    plan: Plan = reconcile(state(LOGGED_IN), fresh_host(), host="ws01")
    dumped = json.dumps(plan.model_dump(mode="json"))
    assert SECRET not in dumped and SECRET not in plan.model_dump_json()
    commands = [action.command for change in plan.changes for action in change.actions
                if hasattr(action, "command")]  # fmt: skip
    assert commands and not any(SECRET in command for command in commands)
    assert any("--netrc-file /var/lib/provision/netrc" in command for command in commands)
    assert any("NETRC=/var/lib/provision/netrc" in command for command in commands)
    listing = next(a for c in plan.changes if c.task == "apt-repository" for a in c.actions
                   if isinstance(a, FileWrite))  # fmt: skip
    assert b"https://m.example/apt" in listing.content and SECRET.encode() not in listing.content


def test_files_that_already_hold_the_logins_are_left_alone_and_stale_ones_removed() -> None:
    desired = state(LOGGED_IN)
    wanted = {change.resource: change.actions[0] for change in plan_source_logins(
        desired, fresh_host())}  # fmt: skip
    present = fresh_host({"files": [
        secret_file(path, write.content) for path, write in wanted.items()  # type: ignore[union-attr]
    ]})  # fmt: skip
    assert plan_source_logins(desired, present) == []
    removals = plan_source_logins(state(), present)
    assert [(change.resource, change.after) for change in removals] == [
        (APT_AUTH_PATH, "absent"), (NETRC_PATH, "absent"),
    ]  # fmt: skip
