"""One-line messages for pydantic validation errors: `<where>: <field.path>: <what is wrong>`.

pydantic reports every problem with its location as a tuple; users want the first one, as a
dotted path they can find in their YAML, with words they know (`unknown key (did you mean
'version'?)`, `expected a string, got int`), and a count of the rest.
"""

from __future__ import annotations

import difflib

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from provision.models.error_paths import Location, locate

_KIND_NAMES: dict[type, str] = {
    str: "string",
    bool: "bool",
    int: "int",
    float: "float",
    list: "list",
    tuple: "list",
    dict: "mapping",
    type(None): "null",
}

_EXPECTED: dict[str, str] = {
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_from_float": "an integer",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def kind_of(value: object) -> str:
    """A YAML-flavoured name for a value's type: string, int, mapping, list, null."""
    for python_type, name in _KIND_NAMES.items():
        if type(value) is python_type:
            return name
    return type(value).__name__


def format_validation_error(
    error: ValidationError, where: str, model: type[BaseModel], prefix: str = ""
) -> str:
    """The first problem of `error` as one line, with a count of the others.

    `where` names the file (and play, host) in front; `prefix` is prepended to the field
    path (e.g. `state`) when the model sits under a key of a larger document. Unknown keys
    are reported first: a misspelt key often causes the other errors.
    """
    located = _one_per_union([(detail, locate(model, detail["loc"])) for detail in error.errors()])
    first, location = min(located, key=lambda item: item[0]["type"] != "extra_forbidden")
    located = _without_missing_key_of_typo(located, first, location.parent)
    path = ".".join(part for part in [prefix, location.path] if part)
    message = describe_error(first, location.parent)
    rest = len(located) - 1
    more = f" (and {rest} more error{'s' if rest > 1 else ''})" if rest else ""
    return f"{where}: {path + ': ' if path else ''}{message}{more}"


_Located = list[tuple[ErrorDetails, Location]]


def _one_per_union(located: _Located) -> _Located:
    """Keep one error per union field: the one that got deepest into the value.

    pydantic reports each union member's failure; the member that matched the value's
    shape gets furthest, and its error is the one that helps.
    """
    best: dict[str, tuple[ErrorDetails, Location]] = {}
    for detail, location in located:
        if location.union_field is not None:
            kept = best.get(location.union_field)
            if kept is None or len(detail["loc"]) > len(kept[0]["loc"]):
                best[location.union_field] = (detail, location)
    return [
        (detail, location)
        for detail, location in located
        if location.union_field is None or best[location.union_field][0] is detail
    ]


def _without_missing_key_of_typo(
    located: _Located, first: ErrorDetails, parent: type[BaseModel] | None
) -> _Located:
    """Drop the 'missing' error of the key a misspelt key was meant to be: one mistake."""
    if first["type"] != "extra_forbidden":
        return located
    meant = _closest_key(str(first["loc"][-1]), parent)
    if meant is None:
        return located
    missing_loc = (*first["loc"][:-1], meant)
    return [
        (detail, location)
        for detail, location in located
        if not (detail["type"] == "missing" and tuple(detail["loc"]) == missing_loc)
    ]


def _closest_key(key: str, parent: type[BaseModel] | None) -> str | None:
    if parent is None:
        return None
    close = difflib.get_close_matches(key, sorted(parent.model_fields), n=1, cutoff=0.6)
    return close[0] if close else None


def describe_error(detail: ErrorDetails, parent: type[BaseModel] | None) -> str:
    """What is wrong, in the user's words; `parent` is the model the bad key was found in."""
    kind = detail["type"]
    value = detail.get("input")
    if kind == "extra_forbidden":
        return "unknown key" + _suggestion(str(detail["loc"][-1]), parent)
    if kind == "missing":
        return "required key is missing"
    if kind in _EXPECTED:
        hint = ""
        if kind == "string_type" and isinstance(value, float):
            hint = f" {value!r} (YAML reads an unquoted {value!r} as a number: quote it)"
        return f"expected {_EXPECTED[kind]}, got {kind_of(value)}{hint}"
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        return f"{value!r} is not one of {expected}"
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, ")
    return str(detail["msg"])


def _suggestion(key: str, parent: type[BaseModel] | None) -> str:
    if parent is None:
        return ""
    close = _closest_key(key, parent)
    if close:
        return f" (did you mean '{close}'?)"
    return f" (valid keys: {', '.join(sorted(parent.model_fields))})"
