"""Host patterns as Ansible evaluates them (`--limit`, a play's `hosts:`).

A pattern is terms joined by `,` (or `:`, where the colon is not part of an address or
range); a term is a group or host name, a glob (`gpu*`), a regex (`~gpu0[12]`), optionally
subscripted (`gpu[0]`, `gpu[1:2]`, `gpu[-1]`, `gpu[1:]`), and prefixed with `&`
(intersection) or `!` (exclusion). Plain terms are unioned first, then intersections and
exclusions apply, whatever their order, as in `ansible.inventory.manager`. Where Ansible
warns that a term matched nothing and goes on, we stop: a typo in `hosts:` should not
quietly shrink a fleet.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence

from provision.inventory.addresses import AddressError, parse_address

_SUBSCRIPT = re.compile(r"(.+)\[(?:(-?[0-9]{1,18})|([0-9]{1,18})([:-])([0-9]{0,18}))\]")
_COLON_TERMS = re.compile(r"(?:[^\s:\[\]]|\[[^\]]*\])+")
_GLOB_CHARACTERS = (".", "?", "*", "[")
_EMPTY_TERMS = ("~", "!", "&", "!~", "&~")

Subscript = tuple[int, int | None]


class PatternError(ValueError):
    """A pattern term that is malformed or matches no host; the message names the term."""


def split_pattern(pattern: str) -> list[str]:
    """Split a pattern into its terms, as Ansible's `split_host_pattern` does.

    Unlike Ansible, a pattern with text no term accounts for (`~[`), an empty term
    (`~`, `!`) or a regex that does not compile is a PatternError, not "every host".
    """
    terms = pattern.split(",") if "," in pattern else _colon_terms(pattern)
    stripped = [term.strip() for term in terms if term.strip()]
    for term in stripped:
        _check_term(term)
    return stripped


def _colon_terms(pattern: str) -> list[str]:
    try:
        parse_address(pattern)
    except AddressError:
        leftover = _COLON_TERMS.sub("", pattern).replace(":", "").strip()
        if leftover:
            raise PatternError(f"cannot parse {leftover!r} in host pattern '{pattern}'") from None
        terms: list[str] = _COLON_TERMS.findall(pattern)
        return terms
    return [pattern]


def _check_term(term: str) -> None:
    if term in _EMPTY_TERMS:
        raise PatternError(f"term '{term}' names no group, host or regex")
    expression = term[1:] if term[0] in "&!" else term
    if expression.startswith("~"):
        compile_term(expression)


def order_terms(terms: Sequence[str]) -> list[str]:
    """Plain terms first (`all` when there are none), then `&` terms, then `!` terms."""
    regular = [term for term in terms if term[0] not in "&!"]
    intersections = [term for term in terms if term[0] == "&"]
    exclusions = [term for term in terms if term[0] == "!"]
    return (regular or ["all"]) + intersections + exclusions


def split_subscript(term: str) -> tuple[str, Subscript | None]:
    """Split `gpu[1:2]` into ("gpu", (1, 2)); a regex term keeps its brackets."""
    if term.startswith("~"):
        return term, None
    match = _SUBSCRIPT.fullmatch(term)
    if not match:
        return term, None
    base, index, start, _separator, end = match.groups()
    if index:
        return base, (int(index), None)
    return base, (int(start), int(end) if end else -1)


def apply_subscript(hosts: list[str], subscript: Subscript | None, term: str) -> list[str]:
    """Select hosts by a subscript with Ansible's (inclusive) slice rules."""
    if not hosts or subscript is None:
        return hosts
    start, end = subscript
    if end is not None:
        last = len(hosts) - 1 if end == -1 else end
        selected = hosts[start : last + 1]
        if not selected:
            raise PatternError(f"no hosts matched the subscripted pattern '{term}'")
        return selected
    try:
        return [hosts[start]]
    except IndexError:
        raise PatternError(f"no hosts matched the subscripted pattern '{term}'") from None


def compile_term(expression: str) -> Callable[[str], bool]:
    """A predicate for one term: a regex after `~` (matched at the start), else a glob."""
    try:
        if expression.startswith("~"):
            regex = re.compile(expression[1:])
        else:
            regex = re.compile(fnmatch.translate(expression))
    except re.error as error:
        raise PatternError(f"invalid host pattern '{expression}': {error}") from None
    return lambda name: regex.match(name) is not None


def is_glob_or_regex(expression: str) -> bool:
    """Whether a term also matches host names when it already matched a group."""
    return expression.startswith("~") or any(char in expression for char in _GLOB_CHARACTERS)
