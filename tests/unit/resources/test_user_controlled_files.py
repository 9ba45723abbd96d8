"""Start-up files their user controls: the facts recorded on a lab host where `ops` made
~/.bashrc a link to /etc/shadow, ~/.bash_profile a FIFO and ~/.profile a hard link; root
read none of them, and the plan refuses the host before touching anything."""

from __future__ import annotations

import re
from pathlib import Path

from provision.facts import parse_facts
from provision.facts.files import parse_secret_file
from provision.reconcile import reconcile
from tests.unit.resources.host_facts import state

CASE = Path(__file__).parents[1] / "facts" / "cases" / "user-controlled-shell-files.out"


def test_the_fact_script_reports_links_fifos_and_hard_links_without_reading_them() -> None:
    facts = parse_facts(CASE.read_bytes(), "KEY")
    ops = next(user for user in facts.shell if user.user == "ops")
    assert [(item.path, item.state, item.block) for item in ops.files] == [
        ("/home/ops/.bashrc", "symlink", None),
        ("/home/ops/.bash_profile", "not-a-file", None),
        ("/home/ops/.profile", "hard-linked", None),
    ]
    shadow_line = re.compile(rb"^root:[^:\n]*:[0-9]*:", re.MULTILINE)
    assert not shadow_line.search(CASE.read_bytes()), "no line of /etc/shadow in the facts"


def test_a_listed_user_s_linked_profile_refuses_the_host_naming_it() -> None:
    facts = parse_facts(CASE.read_bytes(), "KEY")
    plan = reconcile(state({"shell_profile": {"users": ["root", "ops"]}}), facts, host="lab")
    assert plan.changes == ()
    assert plan.refused is not None
    assert plan.refused.startswith("/home/ops/.bashrc is a symbolic link: provision edits")


def test_a_user_s_odd_files_that_are_not_edited_do_not_refuse_the_host() -> None:
    facts = parse_facts(CASE.read_bytes(), "KEY")
    plan = reconcile(state({"shell_profile": {"users": ["root", "dev"]}}), facts, host="lab")
    assert plan.refused is None


def test_a_secret_file_is_known_by_its_host_side_sha256_only() -> None:
    found = parse_secret_file("600 root root 52 /var/lib/provision/netrc", "ab" * 32 + "\n")
    assert (found.state, found.mode, found.sha256, found.content) == (
        "file",
        "600",
        "ab" * 32,
        None,
    )
    odd = parse_secret_file("not-a-file /var/lib/provision/netrc", "")
    assert odd.state == "not-a-file"
