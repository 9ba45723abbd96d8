"""The fact-script output recorded on sandbox lab hosts (`cases/lab-*.out`, written by
`scripts/record_facts.py`) is the current script's: a section the script prints that no
recording holds, or a script changed since the recording, fails here, so the fixtures
cannot go stale silently as facts are added."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from provision.facts.sections import decode, split_sections

CASES = Path(__file__).parent / "cases"
TEMPLATE = Path(__file__).parents[3] / "provision" / "templates" / "facts.sh.j2"
KEY = "KEY"
STATES = ("fresh", "installed-not-rebooted", "converged", "drifted", "runfile-converged")
NOT_ON_THE_LAB = {
    "lock": "printed only when the fact command takes the run lock (apply), not here",
    "secret-file": "printed only for login files that exist; no sandbox source has a login",
    "cuda-version-txt": "CUDA before 11.1 only (version.txt); the workstation's are newer",
}
"""Sections the current script prints only on hosts the lab cannot be: the unit cases
written by hand (`cases/*.out` without the `lab-` prefix) hold them."""


def _script_sections() -> set[str]:
    names = set()
    for line in TEMPLATE.read_text().splitlines():
        if line.lstrip().startswith("#"):
            continue
        names.update(re.findall(r"\bsection ([a-z][a-z-]*)", line))
        names.update(re.findall(r'\bread_later [a-z]+ "?([a-z][a-z-]*)', line))
    return names


def _recorded_sections(name: str) -> set[str]:
    sections = split_sections(decode((CASES / f"lab-{name}.out").read_bytes()), KEY)
    return {section.name for section in sections.items}


def test_every_state_is_recorded_and_complete() -> None:
    for state in STATES:
        document = json.loads((CASES / f"lab-{state}.json").read_text())
        assert document["complete"], state


def test_the_recordings_hold_every_section_the_script_prints() -> None:
    recorded = set().union(*(_recorded_sections(state) for state in STATES))
    missing = _script_sections() - recorded - set(NOT_ON_THE_LAB)
    assert not missing, (
        f"the fact script prints {sorted(missing)}, which no recording holds: "
        "run scripts/record_facts.py"
    )


def test_the_recordings_come_from_the_current_script() -> None:
    stamp = json.loads((CASES.parent / "lab-recorded.json").read_text())
    current = hashlib.sha256(TEMPLATE.read_bytes()).hexdigest()
    assert stamp["fact_script_sha256"] == current, (
        "the fact script changed since the lab recordings: run scripts/record_facts.py"
    )


def test_the_exceptions_are_sections_the_script_prints_and_no_recording_has() -> None:
    recorded = set().union(*(_recorded_sections(state) for state in STATES))
    assert set(NOT_ON_THE_LAB) <= _script_sections()
    assert not set(NOT_ON_THE_LAB) & recorded
