"""Jinja2 rendering of playbook data from variables, resolved lazily as Ansible does.

A variable's value may itself be a template (`cuda_home: /usr/local/cuda-{{ cuda }}`);
only the variables a template really uses are rendered, so an unused variable that
could not render never fails a play. A string that is exactly one `{{ expression }}`
keeps the expression's native type (a list stays a list, a bool a bool), while
strings with surrounding text render to strings; a version string such as `"11.8"`
is never turned into a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import Template, TemplateSyntaxError, UndefinedError, meta
from jinja2.environment import TemplateExpression
from jinja2.exceptions import SecurityError
from jinja2.runtime import Undefined

from provision.template_sandbox import (
    ENVIRONMENT,
    TemplateBudget,
    check_result,
    parse_checked,
    render_checked,
    spending,
)
from provision.unsafe_text import UnsafeText

_TEMPLATE_MARKERS = ("{{", "{%", "{#")

MAX_VARIABLE_CHAIN = 32
"""Variables whose templates use one another, one inside the next, at most."""


@lru_cache(maxsize=4096)
def _names_used(source: str) -> frozenset[str]:
    """The variables a template refers to (parsed once per distinct source text, once its
    size and nesting are known to be within the sandbox's limits)."""
    return frozenset(meta.find_undeclared_variables(parse_checked(source)))


@lru_cache(maxsize=4096)
def _compiled_expression(expression: str) -> TemplateExpression:
    return ENVIRONMENT.compile_expression(expression, undefined_to_none=False)


@lru_cache(maxsize=4096)
def _compiled_template(source: str) -> Template:
    return ENVIRONMENT.from_string(source)


_SCALARS = (str, int, float, bool, type(None))
_RENDERED_LIMIT = 8192
_rendered: dict[tuple[Any, ...], Any] = {}
"""Results of rendering a template with scalar variables, by (source, each variable's name,
type and value): the hosts of a fleet mostly share them, so each renders once per run."""


def _render_key(source: str, context: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The `_rendered` key, or None when a variable is not a scalar (not worth freezing)."""
    if not all(type(value) in _SCALARS for value in context.values()):
        return None
    return (source, *((name, type(value), value) for name, value in context.items()))


class TemplateError(Exception):
    """A template could not render; `path` says where in the data it sits."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def single_expression(source: str) -> str | None:
    """The expression of a template that is exactly one `{{ expression }}` (a final newline
    allowed), else None; in time linear in the length (a regular expression took quadratic
    time on long runs of spaces)."""
    body = source[:-1] if source.endswith("\n") else source
    if not (body.startswith("{{") and body.endswith("}}")):
        return None
    inner = body[2:-2]
    start = 2 + len(inner) - len(inner.lstrip())
    end = len(body) - 2 - (len(inner) - len(inner.rstrip()))
    if start >= end:
        return None
    around = body[start : end + 1]  # a brace pair starting at the expression's last character
    if "{{" in around or "}}" in around:
        return None
    return body[start:end]


def _is_template(value: str) -> bool:
    return any(marker in value for marker in _TEMPLATE_MARKERS)


class VariableResolver:
    """Renders variables on demand, each at most once, and detects cycles; every rendering
    is charged to one budget of the sandbox (one resolver renders one host's templates)."""

    def __init__(self, variables: Mapping[str, Any]) -> None:
        self._raw = dict(variables)
        self._resolved: dict[str, Any] = {}
        self._resolving: list[str] = []
        self._budget = TemplateBudget()

    def resolve(self, name: str) -> Any:
        """Return the rendered value of variable `name` (raises KeyError if undefined)."""
        if name in self._resolved:
            return self._resolved[name]
        if name in self._resolving:
            chain = " -> ".join([*self._resolving[self._resolving.index(name) :], name])
            raise TemplateError(f"variable '{name}'", f"variables refer to each other: {chain}")
        if len(self._resolving) >= MAX_VARIABLE_CHAIN:
            chain = " -> ".join([*self._resolving[:3], "...", name])
            raise TemplateError(
                f"variable '{name}'",
                f"variables use one another more than {MAX_VARIABLE_CHAIN} deep: {chain}",
            )
        raw = self._raw[name]
        self._resolving.append(name)
        try:
            value = self.render(raw, f"variable '{name}'")
        finally:
            self._resolving.pop()
        self._resolved[name] = value
        return value

    def render(self, data: Any, path: str) -> Any:
        """Render every string inside `data` (mappings and lists walked recursively)."""
        if isinstance(data, UnsafeText):
            return str(data)
        if isinstance(data, str):
            return self._render_string(data, path) if _is_template(data) else data
        if isinstance(data, Mapping):
            return {key: self.render(value, f"{path}.{key}") for key, value in data.items()}
        if isinstance(data, list):
            return [self.render(item, f"{path}[{index}]") for index, item in enumerate(data)]
        return data

    def _context_for(self, source: str, path: str) -> dict[str, Any]:
        try:
            names = _names_used(source)
        except TemplateSyntaxError as error:
            raise TemplateError(path, f"template syntax error: {error.message}") from None
        except SecurityError as error:
            raise TemplateError(path, f"template failed: SecurityError: {error}") from None
        return {name: self.resolve(name) for name in sorted(names) if name in self._raw}

    def _render_string(self, source: str, path: str) -> Any:
        context = self._context_for(source, path)
        key = _render_key(source, context)
        if key is not None and key in _rendered:
            return _rendered[key]
        result = self._render_fresh(source, context, path)
        if key is not None and type(result) in _SCALARS:
            if len(_rendered) >= _RENDERED_LIMIT:
                _rendered.clear()
            _rendered[key] = result
        return result

    def _render_fresh(self, source: str, context: dict[str, Any], path: str) -> Any:
        single = single_expression(source)
        try:
            with spending(self._budget):
                if single is not None:
                    result = _compiled_expression(single)(**context)
                    if isinstance(result, Undefined):
                        result._fail_with_undefined_error()
                    return check_result(result)
                return render_checked(_compiled_template(source), context)
        except UndefinedError as error:
            raise TemplateError(path, f"undefined variable: {error.message}") from None
        except TemplateSyntaxError as error:
            raise TemplateError(path, f"template syntax error: {error.message}") from None
        except Exception as error:
            raise TemplateError(path, f"template failed: {type(error).__name__}: {error}") from None
