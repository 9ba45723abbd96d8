"""Host patterns: splitting, subscripts, set operations and the errors we raise."""

from __future__ import annotations

from pathlib import Path

import pytest

from provision.errors import InputError
from provision.inventory import Inventory, load_inventory
from provision.inventory.patterns import split_pattern, split_subscript

SPLITS = [
    ("gpu", ["gpu"]),
    ("gpu:cpu", ["gpu", "cpu"]),
    ("gpu,cpu", ["gpu", "cpu"]),
    ("gpu:&cpu:!gpu01", ["gpu", "&cpu", "!gpu01"]),
    (" gpu , cpu ", ["gpu", "cpu"]),
    ("gpu[1:2]", ["gpu[1:2]"]),
    ("gpu[1:2]:cpu[0]", ["gpu[1:2]", "cpu[0]"]),
    ("gpu01.lab:22", ["gpu01.lab:22"]),
    ("2001:db8::1", ["2001:db8::1"]),
]


@pytest.mark.parametrize(("pattern", "terms"), SPLITS)
def test_split_pattern(pattern: str, terms: list[str]) -> None:
    assert split_pattern(pattern) == terms


SUBSCRIPTS = [
    ("gpu[0]", ("gpu", (0, None))),
    ("gpu[-1]", ("gpu", (-1, None))),
    ("gpu[1:2]", ("gpu", (1, 2))),
    ("gpu[1:0]", ("gpu", (1, 0))),
    ("gpu[1:]", ("gpu", (1, -1))),
    ("gpu[1-2]", ("gpu", (1, 2))),
    ("~gpu[0]", ("~gpu[0]", None)),
    ("gpu[-2:]", ("gpu[-2:]", None)),
]


@pytest.mark.parametrize(("term", "split"), SUBSCRIPTS)
def test_split_subscript(term: str, split: tuple[str, tuple[int, int | None] | None]) -> None:
    assert split_subscript(term) == split


@pytest.fixture
def inventory(tmp_path: Path) -> Inventory:
    path = tmp_path / "hosts.ini"
    path.write_text("[gpu]\ng[1:4]\n[cpu]\nc1\ng1\n[empty]\n")
    return load_inventory([path])


SELECTIONS = [
    ("gpu", ["g1", "g2", "g3", "g4"]),
    ("gpu:!g2", ["g1", "g3", "g4"]),
    ("!g2:gpu", ["g1", "g3", "g4"]),
    ("gpu:&cpu", ["g1"]),
    ("&cpu:gpu", ["g1"]),
    ("cpu,gpu", ["c1", "g1", "g2", "g3", "g4"]),
    ("gpu[0]:gpu[-1]", ["g1", "g4"]),
    ("gpu[1:2]", ["g2", "g3"]),
    ("gpu[2:]", ["g3", "g4"]),
    ("gpu[1:99]", ["g2", "g3", "g4"]),
    ("gpu[0:0]", ["g1"]),
    ("gpu[2:2]", ["g3"]),
    ("g?", ["g1", "g2", "g3", "g4"]),
    ("~g[13]", ["g1", "g3"]),
    ("~c", ["c1", "g1"]),
    ("empty", []),
    ("!gpu", ["c1"]),
]


@pytest.mark.parametrize(("pattern", "hosts"), SELECTIONS)
def test_select(inventory: Inventory, pattern: str, hosts: list[str]) -> None:
    assert inventory.select(pattern) == hosts


BAD_PATTERNS = [
    ("gpus", "host pattern 'gpus': 'gpus' matches no group or host in the inventory"),
    ("gpu:!typo", "host pattern 'gpu:!typo': 'typo' matches no group or host in the inventory"),
    ("gpu[7]", "host pattern 'gpu[7]': no hosts matched the subscripted pattern 'gpu[7]'"),
    ("~g(", "host pattern '~g(': invalid host pattern '~g('"),
    ("localhost", "host pattern 'localhost': 'localhost' matches no group or host"),
    (" , ", "empty host pattern ' , '"),
    ("~[", "host pattern '~[': cannot parse '[' in host pattern '~['"),
    ("g*:~[", "host pattern 'g*:~[': cannot parse '[' in host pattern 'g*:~['"),
    ("~", "host pattern '~': term '~' names no group, host or regex"),
    ("gpu:!", "host pattern 'gpu:!': term '!' names no group, host or regex"),
    ("gpu,&", "host pattern 'gpu,&': term '&' names no group, host or regex"),
    ("gpu,!~(", "host pattern 'gpu,!~(': invalid host pattern '~('"),
    ("gpu[1:0]", "host pattern 'gpu[1:0]': no hosts matched the subscripted pattern 'gpu[1:0]'"),
    ("gpu[3:1]", "host pattern 'gpu[3:1]': no hosts matched the subscripted pattern 'gpu[3:1]'"),
    ("gpu[5:9]", "host pattern 'gpu[5:9]': no hosts matched the subscripted pattern 'gpu[5:9]'"),
]


@pytest.mark.parametrize(("pattern", "message"), BAD_PATTERNS)
def test_bad_pattern_names_the_term(inventory: Inventory, pattern: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        inventory.select(pattern)
    assert raised.value.message.startswith(message)


@pytest.mark.parametrize("term", ["gpu[²]", "gpu[" + "9" * 5000 + "]", "gpu[1:" + "9" * 5000 + "]"])
def test_a_subscript_of_other_than_a_few_ascii_digits_is_no_subscript(term: str) -> None:
    assert split_subscript(term) == (term, None)


def test_a_huge_subscript_is_a_term_that_matches_nothing(inventory: Inventory) -> None:
    with pytest.raises(InputError, match="matches no group or host"):
        inventory.select("gpu[" + "9" * 5000 + "]")
