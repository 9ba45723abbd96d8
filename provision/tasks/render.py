"""Rendering of the task templates in `provision/templates/` (Jinja2, StrictUndefined)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from provision import shell

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["q"] = shell.quote
    return environment


def render_template(name: str, **values: str) -> bytes:
    """The template `name` rendered with `values`, as UTF-8 bytes."""
    return _environment().get_template(name).render(**values).encode()
