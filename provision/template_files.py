"""provision's own templates (`provision/templates/`: the fact script, managed files):
one Jinja2 environment, strict about undefined values, with `q` quoting a value for the
shell."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from provision import shell

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Environment:
    """The environment every product template is rendered in."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["q"] = shell.quote
    return environment


def template(name: str) -> Template:
    """The template `name`, compiled (and cached by the environment)."""
    return environment().get_template(name)


def render_template(name: str, **values: str) -> bytes:
    """The template `name` rendered with `values`, as UTF-8 bytes."""
    return template(name).render(**values).encode()
