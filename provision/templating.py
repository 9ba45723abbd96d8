"""Jinja2 rendering of playbook data from variables, resolved lazily as Ansible does.

A variable's value may itself be a template (`cuda_home: /usr/local/cuda-{{ cuda }}`);
only the variables a template really uses are rendered, so an unused variable that
could not render never fails a play. A string that is exactly one `{{ expression }}`
keeps the expression's native type (a list stays a list, a bool a bool), while
strings with surrounding text render to strings; a version string such as `"11.8"`
is never turned into a number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.runtime import Undefined
from jinja2.sandbox import SandboxedEnvironment

_SINGLE_EXPRESSION = re.compile(r"^\{\{\s*((?:(?!\{\{|\}\}).)+?)\s*\}\}$", re.DOTALL)
_TEMPLATE_MARKERS = ("{{", "{%", "{#")

_ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)


class TemplateError(Exception):
    """A template could not render; `path` says where in the data it sits."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _is_template(value: str) -> bool:
    return any(marker in value for marker in _TEMPLATE_MARKERS)


class VariableResolver:
    """Renders variables on demand, each at most once, and detects cycles."""

    def __init__(self, variables: Mapping[str, Any]) -> None:
        self._raw = dict(variables)
        self._resolved: dict[str, Any] = {}
        self._resolving: list[str] = []

    def resolve(self, name: str) -> Any:
        """Return the rendered value of variable `name` (raises KeyError if undefined)."""
        if name in self._resolved:
            return self._resolved[name]
        if name in self._resolving:
            chain = " -> ".join([*self._resolving[self._resolving.index(name) :], name])
            raise TemplateError(f"variable '{name}'", f"variables refer to each other: {chain}")
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
        if isinstance(data, str):
            return self._render_string(data, path) if _is_template(data) else data
        if isinstance(data, Mapping):
            return {key: self.render(value, f"{path}.{key}") for key, value in data.items()}
        if isinstance(data, list):
            return [self.render(item, f"{path}[{index}]") for index, item in enumerate(data)]
        return data

    def _context_for(self, source: str, path: str) -> dict[str, Any]:
        try:
            names = meta.find_undeclared_variables(_ENVIRONMENT.parse(source))
        except TemplateSyntaxError as error:
            raise TemplateError(path, f"template syntax error: {error.message}") from None
        return {name: self.resolve(name) for name in sorted(names) if name in self._raw}

    def _render_string(self, source: str, path: str) -> Any:
        context = self._context_for(source, path)
        single = _SINGLE_EXPRESSION.match(source)
        try:
            if single:
                result = _ENVIRONMENT.compile_expression(single.group(1), undefined_to_none=False)(
                    **context
                )
                if isinstance(result, Undefined):
                    result._fail_with_undefined_error()
                return result
            return _ENVIRONMENT.from_string(source).render(context)
        except UndefinedError as error:
            raise TemplateError(path, f"undefined variable: {error.message}") from None
        except TemplateSyntaxError as error:
            raise TemplateError(path, f"template syntax error: {error.message}") from None
        except Exception as error:
            raise TemplateError(path, f"template failed: {type(error).__name__}: {error}") from None
