"""Nothing hostile passes validation into a value that may end up in a shell command."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provision.errors import InputError
from provision.models import parse_host_state

HOSTILE = [
    "535.154.05; rm -rf /",
    "$(id)",
    "`id`",
    "535.154.05\n",
    "535.154.05\nrm -rf /",
    "'535.154.05'",
    '"535.154.05"',
    "535.154.05 && id",
    "535.154.05|id",
    "${HOME}",
    "a b",
    "--force",
    "",
]


def state_with(field: str, value: str) -> dict[str, Any]:
    """A state whose one string field `field` holds `value`."""
    driver = {"version": "535.154.05"}
    states: dict[str, dict[str, Any]] = {
        "driver": {"driver": {"version": value}},
        "toolkit": {"driver": driver, "cuda_toolkits": [{"version": value}]},
        "toolkit path": {
            "driver": driver,
            "cuda_toolkits": [{"version": "11.8.0", "path": value}],
        },
        "active": {
            "driver": driver,
            "cuda_toolkits": [{"version": "11.8.0"}],
            "active_cuda": value,
        },
        "cudnn": {
            "driver": driver,
            "cuda_toolkits": [{"version": "11.8.0"}],
            "cudnn": {"11": {"version": value}},
        },
        "cudnn key": {"cudnn": {value: {"version": "8.9.7.29"}}},
        "env name": {"conda": {"envs": [{"name": value, "python": "3.11"}]}},
        "python": {"conda": {"envs": [{"name": "t", "python": value}]}},
        "torch": {
            "conda": {
                "envs": [
                    {"name": "t", "python": "3.11", "pytorch": {"version": value, "variant": "cpu"}}
                ]
            }
        },
        "variant": {"libtorch": {"version": "2.5.1", "variant": value}},
        "prefix": {"conda": {"prefix": value}},
        "sha256": {"conda": {"installer_sha256": value}},
        "user": {"shell_profile": {"users": [value]}},
        "url": {"sources": {"libtorch_base": f"https://example.org/{value}"}},
        "channel": {"sources": {"conda_channels": [value]}},
        "apt line": {"sources": {"apt_repository": f"deb http://127.0.0.1/apt ./ {value}"}},
    }
    return states[field]


FIELDS = [
    "driver",
    "toolkit",
    "toolkit path",
    "active",
    "cudnn",
    "cudnn key",
    "env name",
    "python",
    "torch",
    "variant",
    "prefix",
    "sha256",
    "user",
    "url",
    "channel",
    "apt line",
]


HARMLESS_INSIDE = {"url": {"", "--force"}, "apt line": {"", "--force", "a b"}}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (field, value)
        for field in FIELDS
        for value in HOSTILE
        # Inside a longer URL or apt line these are harmless and valid.
        if value not in HARMLESS_INSIDE.get(field, set())
    ],
)
def test_hostile_values_are_rejected_everywhere(field: str, value: str) -> None:
    with pytest.raises(InputError):
        parse_host_state(state_with(field, value), "w")


@pytest.mark.parametrize(
    "line",
    [
        "deb [trusted=yes] http://127.0.0.1:8080/apt ./",
        "deb [signed-by=/usr/share/keyrings/cuda.gpg arch=amd64] https://mirror.example/cuda/ /",
        "deb [signed-by=/etc/apt/keyrings/m.gpg] http://127.0.0.1:8080/apt bookworm main contrib",
    ],
)
def test_real_apt_source_lines_pass(line: str) -> None:
    sources = {"apt_repository": line, "apt_repository_trusted": "trusted=yes" in line}
    state = parse_host_state({"sources": sources}, "w")
    assert state.sources.apt_repository == line


@pytest.mark.parametrize(
    "line",
    [
        "deb [trusted=yes] http://127.0.0.1:8080/apt ./; id",
        "deb [trusted=yes] 'http://127.0.0.1:8080/apt' ./",
        "deb [trusted=yes] http://127.0.0.1:8080/apt ./\ndeb http://evil/ ./",
        "deb-src http://127.0.0.1/apt ./",
        "deb [trusted=$(id)] http://127.0.0.1/apt ./",
    ],
)
def test_hostile_apt_source_lines_fail(line: str) -> None:
    with pytest.raises(InputError, match="is not an apt source line"):
        parse_host_state({"sources": {"apt_repository": line}}, "w")


SHELL_CHARACTERS = set(" \t\n\r'\"`$;&|<>(){}*?\\!#~")


@given(st.text(min_size=1, max_size=30))
def test_no_accepted_version_or_name_holds_a_shell_character(text: str) -> None:
    state = {
        "driver": {"version": text},
        "conda": {"envs": [{"name": text, "python": "3.11"}]},
        "shell_profile": {"users": [text]},
    }
    try:
        parse_host_state(state, "w")
    except InputError:
        return
    assert not SHELL_CHARACTERS & set(text)
