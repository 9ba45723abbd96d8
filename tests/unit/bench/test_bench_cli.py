"""`python -m bench`'s options: bad input is a one-line error and exit 2."""

from __future__ import annotations

import argparse

import pytest

from bench.cli import REPOSITORY, host_counts, main, positive, tool_names


def test_host_counts_are_parsed_deduplicated_in_order() -> None:
    assert host_counts("1,5,20,5") == [1, 5, 20]


@pytest.mark.parametrize("text", ["", "0", "100", "1,x", "-3"])
def test_bad_host_counts_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        host_counts(text)


def test_tool_names_must_be_known() -> None:
    assert tool_names("provision, floor") == ["provision", "floor"]
    with pytest.raises(argparse.ArgumentTypeError, match="chef"):
        tool_names("provision,chef")


def test_run_counts_must_be_at_least_one() -> None:
    assert positive("3") == 3
    for text in ("0", "-1", "two"):
        with pytest.raises(argparse.ArgumentTypeError):
            positive(text)


def test_bad_options_exit_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--tools", "chef"])
    assert exit_info.value.code == 2
    assert "unknown tool(s) chef" in capsys.readouterr().err


def test_the_lead_lab_dir_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lab-dir", str(REPOSITORY / ".lab"), "--tools", "floor"]) == 2
    assert "use one of its own" in capsys.readouterr().err
