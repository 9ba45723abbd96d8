"""Host ranges: Ansible's expansion rules, and the ranges we refuse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provision.inventory.ranges import HostRangeError, expand_host_pattern, expand_host_range

EXPANSIONS = [
    ("gpu01.lab", ["gpu01.lab"]),
    ("gpu[01:03].lab", ["gpu01.lab", "gpu02.lab", "gpu03.lab"]),
    ("gpu[1:3]", ["gpu1", "gpu2", "gpu3"]),
    ("gpu[08:11]", ["gpu08", "gpu09", "gpu10", "gpu11"]),
    ("ws-[a:c]", ["ws-a", "ws-b", "ws-c"]),
    ("ws-[y:B]", ["ws-y", "ws-z", "ws-A", "ws-B"]),
    ("n[01:10:2]", ["n01", "n03", "n05", "n07", "n09"]),
    ("n[a:g:3]", ["na", "nd", "ng"]),
    ("n[:2]", ["n0", "n1", "n2"]),
    ("r[1:2]-[a:b]", ["r1-a", "r1-b", "r2-a", "r2-b"]),
    ("[1:2].example", ["1.example", "2.example"]),
    ("x[5:5]", ["x5"]),
    ("x[098:100]", ["x098", "x099", "x100"]),
]


@pytest.mark.parametrize(("pattern", "names"), EXPANSIONS)
def test_expand_host_range(pattern: str, names: list[str]) -> None:
    assert expand_host_range(pattern) == names


BAD_RANGES = [
    ("gpu[01:xx]", "must be numeric"),
    ("gpu[3:1]", "must have begin <= end"),
    ("gpu[c:a]", "must have begin <= end"),
    ("gpu[01:100]", "equal width"),
    ("gpu[1:]", "must specify an end value"),
    ("gpu[1]", "must be begin:end or begin:end:step"),
    ("gpu[1:2:3:4]", "must be begin:end or begin:end:step"),
    ("gpu[1:4:0]", "step '0'"),
    ("gpu[1:4:x]", "step 'x'"),
    ("gpu[a:5]", "must be numeric"),
    ("gpu[1:3", "not of the form"),
]


@pytest.mark.parametrize(("pattern", "fault"), BAD_RANGES)
def test_bad_range_is_refused_with_reason(pattern: str, fault: str) -> None:
    with pytest.raises(HostRangeError, match=fault) as raised:
        expand_host_range(pattern)
    assert pattern in str(raised.value)


PORTS = [
    ("gpu01.lab", ["gpu01.lab"], None),
    ("gpu01.lab:2222", ["gpu01.lab"], 2222),
    ("gpu[01:02].lab:22", ["gpu01.lab", "gpu02.lab"], 22),
    ("192.0.2.10:2200", ["192.0.2.10"], 2200),
    ("[2001:db8::1]:2200", ["2001:db8::1"], 2200),
    ("2001:db8::1", ["2001:db8::1"], None),
]


@pytest.mark.parametrize(("entry", "names", "port"), PORTS)
def test_expand_host_pattern_splits_port(entry: str, names: list[str], port: int | None) -> None:
    assert expand_host_pattern(entry) == (names, port)


@given(
    begin=st.integers(min_value=0, max_value=200),
    length=st.integers(min_value=0, max_value=60),
    step=st.integers(min_value=1, max_value=7),
    width=st.integers(min_value=2, max_value=4),
)
def test_padded_numeric_ranges_match_python_range(
    begin: int, length: int, step: int, width: int
) -> None:
    end = begin + length
    if len(str(end)) > width:
        return
    pattern = f"n[{begin:0{width}d}:{end:0{width}d}:{step}].lab"
    expected = [f"n{number:0{width}d}.lab" for number in range(begin, end + 1, step)]
    assert expand_host_range(pattern) == expected


def test_a_range_of_more_than_ten_thousand_hosts_is_refused() -> None:
    assert len(expand_host_range("a[1:10000]")) == 10_000
    with pytest.raises(HostRangeError, match=r"'a\[1:10001\]' expands to 10001 hosts"):
        expand_host_range("a[1:10001]")


def test_a_huge_range_is_refused_before_expanding() -> None:
    with pytest.raises(HostRangeError, match=r"'a\[1:99999999\]' expands to 99999999 hosts"):
        expand_host_range("a[1:99999999]")


def test_a_range_with_a_huge_end_is_refused_without_overflow() -> None:
    with pytest.raises(HostRangeError, match="more than the 10000"):
        expand_host_range(f"a[1:{10**40}]")


def test_the_cap_counts_the_product_of_several_ranges() -> None:
    assert len(expand_host_range("a[1:100]b[1:100]")) == 10_000
    with pytest.raises(HostRangeError, match="expands to 10100 hosts"):
        expand_host_range("a[1:100]b[0:100]")


@pytest.mark.parametrize(
    "pattern", ["gpu[1:²]", "gpu[²:3]", "gpu[1:3:²]", "gpu[1:٣]", "gpu[1:" + "9" * 5000 + "]"]
)
def test_only_ascii_digits_bound_a_range(pattern: str) -> None:
    with pytest.raises(HostRangeError, match="must be"):
        expand_host_range(pattern)
