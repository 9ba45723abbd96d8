"""The fact-script output recorded on sandbox lab hosts (`cases/lab-*.out`, written by
`scripts/record_facts.py`) is the current script's: a section the script prints that no
recording holds, or a script changed since the recording, fails here, so the fixtures
cannot go stale silently as facts are added. The script's sections are named once, in
`provision.facts.sections.SECTION_NAMES`; a section printed but not named there shows up
in the next recording, which the script's changed checksum forces, and fails here."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from provision.facts.sections import SECTION_NAMES, decode, split_sections

CASES = Path(__file__).parent / "cases"
TEMPLATE = Path(__file__).parents[3] / "provision" / "templates" / "facts.sh.j2"
KEY = "KEY"
STATES = ("fresh", "installed-not-rebooted", "converged", "drifted", "runfile-converged")
NOT_ON_THE_LAB = {
    "lock": "printed only when the fact command takes the run lock (apply), not here",
    "secret-file": "printed only for login files that exist; no sandbox source has a login",
    "cuda-version-txt": "CUDA before 11.1 only (version.txt); the workstation's are newer",
    "cuda-header": "a toolkit without version.json or version.txt; the lab's have version.json",
}
"""Sections the current script prints only on hosts the lab cannot be: their parsers are
tested on hand-written text (test_fact_parsers, test_user_controlled_files, the
`cases/*.out` without the `lab-` prefix)."""


def _sections_in(path: Path) -> set[str]:
    sections = split_sections(decode(path.read_bytes()), KEY)
    return {section.name for section in sections.items}


def _recorded_sections(name: str) -> set[str]:
    return _sections_in(CASES / f"lab-{name}.out")


def test_every_state_is_recorded_and_complete() -> None:
    for state in STATES:
        document = json.loads((CASES / f"lab-{state}.json").read_text())
        assert document["complete"], state


def test_the_recordings_hold_every_section_the_script_prints() -> None:
    recorded = set().union(*(_recorded_sections(state) for state in STATES))
    missing = SECTION_NAMES - recorded - set(NOT_ON_THE_LAB)
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
    assert set(NOT_ON_THE_LAB) <= SECTION_NAMES
    assert not set(NOT_ON_THE_LAB) & recorded


def test_every_section_a_recording_holds_is_one_the_parsers_know() -> None:
    for path in sorted(CASES.glob("*.out")):
        unknown = _sections_in(path) - SECTION_NAMES
        assert not unknown, f"{path.name} holds {sorted(unknown)}: name them in SECTION_NAMES"
