"""Quoting of values that reach a shell: hostile values come back out as plain data."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provision.shell import (
    UnsafeShellValueError,
    command,
    environment_assignments,
    quote,
    sudo,
    with_env,
)

HOSTILE_VALUES = [
    "; rm -rf /",
    "$(id)",
    "`id`",
    "a\nb; touch /tmp/provision-pwned",
    "it's",
    "\"double\" and 'single'",
    "$HOME ${PATH} $((1+1))",
    "* ? [a-z]",
    "&& || | > < >> 2>&1",
    "-rf",
    "",
    " leading and trailing ",
    "back\\slash",
    "émoji ✓",
]


def _shell_words(command_line: str) -> list[str]:
    """Let a real POSIX shell parse `command_line` and report the words it saw."""
    script = 'for word in "$@"; do printf "%s\\0" "$word"; done'
    result = subprocess.run(
        ["sh", "-c", f"set -- {command_line}; {script}"],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode().split("\0")[:-1]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_a_quoted_hostile_value_is_one_word_the_shell_hands_back_unchanged(value: str) -> None:
    assert _shell_words(quote(value)) == [value]


def test_command_quotes_every_argument() -> None:
    line = command("printf", "%s", *HOSTILE_VALUES)
    assert _shell_words(line) == ["printf", "%s", *HOSTILE_VALUES]


def test_a_hostile_value_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for value in (f"$(touch {marker})", f"`touch {marker}`", f"; touch {marker}"):
        subprocess.run(["sh", "-c", command("echo", value)], check=True, capture_output=True)
    assert not marker.exists()


@pytest.mark.parametrize("value", ["a\0b", "\0"])
def test_a_nul_byte_is_rejected(value: str) -> None:
    with pytest.raises(UnsafeShellValueError, match="NUL"):
        quote(value)
    with pytest.raises(UnsafeShellValueError):
        command("echo", value)


def test_a_command_needs_a_program() -> None:
    with pytest.raises(UnsafeShellValueError):
        command()


def test_non_strings_are_rejected() -> None:
    with pytest.raises(UnsafeShellValueError, match="int"):
        quote(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_environment_values_reach_the_command_unchanged(value: str) -> None:
    line = with_env('printf %s "$PROVISION_TEST"', {"PROVISION_TEST": value})
    result = subprocess.run(["sh", "-c", line], capture_output=True, check=True)
    assert result.stdout.decode() == value


@pytest.mark.parametrize("name", ["A B", "1ABC", "A;B", "$(id)", "", "A=B"])
def test_invalid_environment_names_are_rejected(name: str) -> None:
    with pytest.raises(UnsafeShellValueError, match="environment variable name"):
        environment_assignments({name: "x"})


def test_no_environment_leaves_the_command_unchanged() -> None:
    assert with_env("true", None) == "true"
    assert with_env("true", {}) == "true"


def test_sudo_reads_the_password_from_stdin_with_the_given_prompt() -> None:
    line = sudo("id -u; echo '$(x)'", prompt="[p $(id)] password:")
    words = _shell_words(line)
    assert words == [
        "sudo",
        "-S",
        "-p",
        "[p $(id)] password:",
        "--",
        "sh",
        "-c",
        "id -u; echo '$(x)'",
    ]


def test_sudo_prints_no_prompt_by_default() -> None:
    assert _shell_words(sudo("id -u")) == ["sudo", "-S", "-p", "", "--", "sh", "-c", "id -u"]
