"""Host ranges as Ansible expands them: `gpu[01:16].lab`, `ws-[a:c]`, `n[01:10:2]`.

Follows `ansible.plugins.inventory.expand_hostname_range`: a range is `[begin:end]` or
`[begin:end:step]`, numeric (a leading zero in `begin` pads every name to its width, and
then `end` must have the same width) or alphabetic; several ranges in one name multiply.
Ansible silently expands a backwards numeric range such as `[3:1]` to no host at all; we
reject it, since a range that names nothing is always a mistake.
"""

from __future__ import annotations

import string
from collections.abc import Callable

from provision.input_limits import MAX_INTEGER_DIGITS, is_ascii_number
from provision.inventory.addresses import AddressError, parse_address

MAX_RANGE_HOSTS = 10_000


class HostRangeError(ValueError):
    """A host range that does not parse; the message says what is wrong with it."""


def has_range(name: str) -> bool:
    """True when `name` holds a `[x:y]` range to expand (Ansible looks for any `[`)."""
    return "[" in name


def expand_host_range(pattern: str) -> list[str]:
    """Expand every `[begin:end(:step)]` range in `pattern` into host names, in order.

    The number of names is worked out first: more than MAX_RANGE_HOSTS is an error, so
    a typo such as `a[1:99999999]` fails at once instead of exhausting memory.
    """
    size = _expansion_size(pattern)
    if size > MAX_RANGE_HOSTS:
        raise HostRangeError(
            f"host range in '{pattern}' expands to {size} hosts, "
            f"more than the {MAX_RANGE_HOSTS} one entry may name"
        )
    return _expand(pattern)


def _split_first_range(pattern: str) -> tuple[str, str, str]:
    parts = pattern.replace("[", "|", 1).replace("]", "|", 1).split("|")
    if len(parts) != 3:
        raise HostRangeError(f"host range in '{pattern}' is not of the form [begin:end(:step)]")
    head, bounds_text, tail = parts
    return head, bounds_text, tail


def _expansion_size(pattern: str) -> int:
    size = 1
    rest = pattern
    while has_range(rest):
        _head, bounds_text, rest = _split_first_range(rest)
        numbers, _fill = _range_items(pattern, bounds_text)
        size *= _range_length(numbers)
    return size


def _range_length(numbers: range) -> int:
    """len(numbers), which Python refuses beyond sys.maxsize."""
    if numbers.stop <= numbers.start:
        return 0
    return (numbers.stop - numbers.start - 1) // numbers.step + 1


def _expand(pattern: str) -> list[str]:
    if not has_range(pattern):
        return [pattern]
    head, bounds_text, tail = _split_first_range(pattern)
    numbers, fill = _range_items(pattern, bounds_text)
    names: list[str] = []
    for number in numbers:
        names.extend(_expand(f"{head}{fill(number)}{tail}"))
    return names


def _range_items(pattern: str, bounds_text: str) -> tuple[range, Callable[[int], str]]:
    bounds = bounds_text.split(":")
    if len(bounds) not in (2, 3):
        raise HostRangeError(
            f"host range '[{bounds_text}]' in '{pattern}' must be begin:end or begin:end:step"
        )
    begin = bounds[0] or "0"
    end = bounds[1]
    step = _parse_step(pattern, bounds[2] if len(bounds) == 3 else "1")
    if not end:
        raise HostRangeError(
            f"host range '[{bounds_text}]' in '{pattern}' must specify an end value"
        )
    if begin in string.ascii_letters and end in string.ascii_letters:
        return _letter_items(pattern, bounds_text, begin, end, step)
    return _number_items(pattern, bounds_text, begin, end, step)


def _is_bound(text: str) -> bool:
    """ASCII digits (`'²'.isdigit()` is true but `int('²')` fails), not more than Python
    reads as an integer."""
    return is_ascii_number(text) and len(text) <= MAX_INTEGER_DIGITS


def _parse_step(pattern: str, text: str) -> int:
    if not _is_bound(text) or int(text) == 0:
        raise HostRangeError(f"host range step '{text}' in '{pattern}' must be a positive integer")
    return int(text)


def _letter(index: int) -> str:
    return string.ascii_letters[index]


def _letter_items(
    pattern: str, bounds_text: str, begin: str, end: str, step: int
) -> tuple[range, Callable[[int], str]]:
    first = string.ascii_letters.index(begin)
    last = string.ascii_letters.index(end)
    if first > last:
        raise HostRangeError(f"host range '[{bounds_text}]' in '{pattern}' must have begin <= end")
    return range(first, last + 1, step), _letter


def _number_items(
    pattern: str, bounds_text: str, begin: str, end: str, step: int
) -> tuple[range, Callable[[int], str]]:
    if not (_is_bound(begin) and _is_bound(end)):
        raise HostRangeError(
            f"host range '[{bounds_text}]' in '{pattern}' must be numeric (01:16) "
            "or single letters (a:c)"
        )
    fill: Callable[[int], str] = str
    if begin.startswith("0") and len(begin) > 1:
        width = len(begin)
        if len(end) != width:
            raise HostRangeError(
                f"host range '[{bounds_text}]' in '{pattern}' must have begin and end "
                "of equal width when begin has a leading zero"
            )

        def fill(number: int) -> str:
            return str(number).zfill(width)

    if int(begin) > int(end):
        raise HostRangeError(f"host range '[{bounds_text}]' in '{pattern}' must have begin <= end")
    return range(int(begin), int(end) + 1, step), fill


def expand_host_pattern(pattern: str) -> tuple[list[str], int | None]:
    """Split an inventory host entry into its expanded names and an optional port.

    `gpu[01:02].lab:2222` gives (["gpu01.lab", "gpu02.lab"], 2222); an entry that is not
    a valid address is taken whole, as Ansible does.
    """
    try:
        name, port = parse_address(pattern)
    except AddressError:
        name, port = pattern, None
    return expand_host_range(name), port
