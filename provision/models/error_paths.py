"""Where in a document a pydantic error points, as the dotted path a user finds in YAML.

pydantic locations mix keys, list indexes and the tags of union members
(`('serial', 'list[union[int,str]]', 0, 'str')`); this walks them alongside the model's
annotations to drop the tags and to know which model a bad key belongs to.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Location:
    """A pydantic location made readable.

    `parent` is the model the last key belongs to (for suggesting valid keys);
    `union_field` is the path of the union-typed field the location passes through, if any
    (its members' errors are alternatives, not separate mistakes).
    """

    parts: tuple[str, ...]
    parent: type[BaseModel] | None
    union_field: str | None

    @property
    def path(self) -> str:
        """The dotted path, with list indexes in brackets: `conda.envs[0].python`."""
        return join_path(self.parts)


def join_path(parts: Sequence[str]) -> str:
    """`('envs', '[0]', 'python')` -> `envs[0].python`."""
    text = ""
    for part in parts:
        text += part if part.startswith("[") or not text else f".{part}"
    return text


def locate(model: type[BaseModel], loc: Sequence[int | str]) -> Location:
    """Walk `loc` through `model`'s annotations; see `Location`."""
    parts: list[str] = []
    current: Any = model
    parent: type[BaseModel] | None = None
    union_field: str | None = None
    for element in loc:
        current = _unwrap(current)
        if _is_model(current):
            parent = current
            field = current.model_fields.get(str(element))
            parts.append(str(element))
            current = field.annotation if field else None
        elif isinstance(element, int):
            parts.append(f"[{element}]")
            current = _item_type(current)
        elif _is_union(current):
            union_field = union_field or join_path(parts)
            current = _union_member(current, str(element))
        elif element == "[key]":
            parts.append("(key)")
        else:
            parts.append(str(element))
            current = _item_type(current)
    return Location(tuple(parts), parent, union_field)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional, which add no level to pydantic's locations."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if _is_union(annotation):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _union_member(annotation: Any, tag: str) -> Any:
    """The member of a union a pydantic tag (`str`, `list[...]`, `Driver`) names, if known."""
    for member in typing.get_args(annotation):
        member = _unwrap(member)
        name = getattr(member, "__name__", None) or str(typing.get_origin(member) or member)
        if tag == name or tag.startswith(f"{name}["):
            return member
    return None


def _item_type(annotation: Any) -> Any:
    args = [arg for arg in typing.get_args(annotation) if arg is not Ellipsis]
    return args[-1] if args else None
