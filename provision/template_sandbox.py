"""The Jinja environment playbook templates render in: Jinja's immutable sandbox, bounded.

Jinja's sandbox stops templates from reaching Python internals; it does not stop one from
running for hours or filling memory (`{{ 9**9**9 }}`, loops in loops, `'x'|center(10**9)`,
variables that double one another). Here every cost is bounded, and going past a bound
raises SecurityError:

- a template's source: at most MAX_TEMPLATE_LENGTH characters, nested at most
  MAX_TEMPLATE_NESTING levels (brackets, or the parsed tree: Jinja's parser, compiler and
  Python's own compiler all recurse per level);
- `range()`: at most MAX_RANGE numbers;
- steps: one host's rendering may take at most MAX_TEMPLATE_STEPS (a loop iteration, a
  call, a filter, 100 characters written, or 100 items measured by the checks below);
- values: no operator, call, filter or output makes a value past MAX_VALUE_SIZE
  (characters of text, items of lists and mappings), checked before the work where the
  result size can be foreseen (`*`, `**`, `+`, `%`, `~`, widths, `replace`, `join`, ...),
  after it otherwise; integers stay within MAX_INTEGER_DIGITS digits;
- lists, mappings and sets cannot be changed in place (Jinja's immutable sandbox), so no
  loop can grow one.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jinja2 import StrictUndefined, Template, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from provision.input_limits import INTEGER_BOUND, MAX_INTEGER_DIGITS

MAX_TEMPLATE_LENGTH = 100_000
MAX_TEMPLATE_NESTING = 32
MAX_RANGE = 10_000
MAX_TEMPLATE_STEPS = 100_000
MAX_VALUE_SIZE = 1_000_000

_CHARACTERS_PER_STEP = 100
_ITEMS_PER_STEP = 100
_LOOP_FILTER = "provision-loop"  # not a name a template can write: only loops use it
_NUMBERS = re.compile(r"[0-9]+")


class TemplateBudget:
    """The steps left to one host's rendering (MAX_TEMPLATE_STEPS to start with)."""

    def __init__(self, steps: int = MAX_TEMPLATE_STEPS) -> None:
        self.left = steps

    def spend(self, steps: int) -> None:
        """Take `steps`; past the budget, the rendering stops with a SecurityError."""
        self.left -= steps
        if self.left < 0:
            raise SecurityError(
                f"the templates take more than {MAX_TEMPLATE_STEPS} steps (loop iterations, "
                "calls, filters, output) for one host"
            )


_BUDGET: ContextVar[TemplateBudget | None] = ContextVar("template_budget", default=None)


@contextmanager
def spending(budget: TemplateBudget) -> Iterator[None]:
    """Charge the renderings inside the block to `budget`."""
    token = _BUDGET.set(budget)
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _spend(steps: int) -> None:
    budget = _BUDGET.get()
    if budget is not None and steps:
        budget.spend(steps)


def value_size(value: Any) -> int:
    """The size of `value` written out: characters of text, one per item, digits / 3 of an
    integer; the walk stops once past MAX_VALUE_SIZE (and charges what it measured)."""
    total = 0
    walked = 0
    pending = [value]
    while pending and total <= MAX_VALUE_SIZE:
        item = pending.pop()
        walked += 1
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 10 + 1
        elif isinstance(item, Mapping) and not isinstance(item, Undefined):
            total += 1
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 1
            pending.extend(item)
        else:
            total += 1
    _spend(walked // _ITEMS_PER_STEP)
    return total


def _check_size(value: Any) -> Any:
    if value_size(value) > MAX_VALUE_SIZE:
        raise SecurityError(f"a value larger than {MAX_VALUE_SIZE} characters or items")
    return value


def _check_estimate(size: int) -> None:
    if size > MAX_VALUE_SIZE:
        raise SecurityError(f"a value larger than {MAX_VALUE_SIZE} characters or items")


def _check_integer(value: Any) -> Any:
    if isinstance(value, int) and abs(value) >= INTEGER_BOUND:
        raise SecurityError(f"an integer of more than {MAX_INTEGER_DIGITS} digits")
    return value


def _digits(value: int) -> float:
    """About the decimal digits of `value` (log10 of it; 0 for -1, 0 and 1), cheaply."""
    magnitude = abs(value)
    return math.log10(magnitude) if magnitude > 1 else 0.0


def _materialized(value: Any) -> Any:
    """A lazy sequence (a generator, `map`) as a list, read no further than MAX_VALUE_SIZE:
    whatever consumes it gets a value of bounded size."""
    if not isinstance(value, Iterator) or isinstance(value, Undefined):
        return value
    items: list[Any] = []
    total = 0
    for item in value:
        _spend(1)
        total += value_size(item)
        _check_estimate(total)
        items.append(item)
    return items


def _format_size(template: str, arguments: Any) -> int:
    """At most the length `template % arguments` (or `.format`) has: its own text, what it
    inserts, and every number in it taken as a width."""
    widths = sum(int(number) if len(number) < 8 else MAX_VALUE_SIZE + 1
                 for number in _NUMBERS.findall(template))  # fmt: skip
    starred = (
        sum(value for value in _flat(arguments) if isinstance(value, int)) if "*" in template else 0
    )
    return len(template) + widths + starred + value_size(arguments)


def _flat(arguments: Any) -> list[Any]:
    if isinstance(arguments, tuple | list):
        return list(arguments)
    if isinstance(arguments, Mapping):
        return list(arguments.values())
    return [arguments]


def _replace_size(text: str, old: Any, new: Any, count: Any = -1) -> int:
    if not isinstance(old, str) or not isinstance(new, str):
        return len(text)
    occurrences = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        occurrences = min(occurrences, count)
    return len(text) + occurrences * len(new)


def _join_size(separator: Any, items: Any) -> int:
    count = len(items) if isinstance(items, Sized) else 0
    return value_size(items) + count * len(str(separator))


def _lines(text: Any) -> int:
    return str(text).count("\n") + 1


def _indent_size(s: Any, width: Any = 4, first: Any = False, blank: Any = False) -> int:
    prefix = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    return len(str(s)) + _lines(s) * prefix


def _wordwrap_size(
    s: Any, width: Any = 79, break_long_words: Any = True, wrapstring: Any = None,
    break_on_hyphens: Any = True,
) -> int:  # fmt: skip
    pieces = len(str(s)) + _lines(s)
    return len(str(s)) + pieces * len(str(wrapstring or "\n"))


def _nesting(value: Any) -> int:
    """How deeply lists and mappings nest in `value` (walking at most MAX_VALUE_SIZE items)."""
    deepest = 0
    pending = [(value, 0)]
    walked = 0
    while pending and walked <= MAX_VALUE_SIZE:
        item, depth = pending.pop()
        walked += 1
        deepest = max(deepest, depth)
        if isinstance(item, Mapping) and not isinstance(item, Undefined):
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list | tuple):
            pending.extend((child, depth + 1) for child in item)
    _spend(walked // _ITEMS_PER_STEP)
    return deepest


def _tojson_size(value: Any, indent: Any = None) -> int:
    """`tojson` indents every line by its depth."""
    width = indent if isinstance(indent, int) and not isinstance(indent, bool) else 0
    return value_size(value) * (2 + width * _nesting(value))


def _pprint_size(value: Any) -> int:
    return value_size(value) * (2 + _nesting(value))


def _replace_filter_size(s: Any, old: Any, new: Any, count: Any = None) -> int:
    return _replace_size(str(s), old, new, -1 if count is None else count)


def _join_filter_size(value: Any, d: Any = "", attribute: Any = None) -> int:
    return _join_size(d, value)


def _format_filter_size(value: Any, *args: Any, **kwargs: Any) -> int:
    return _format_size(str(value), args or kwargs)


def _urlize_size(
    value: Any, trim_url_limit: Any = None, nofollow: Any = False, target: Any = None,
    rel: Any = None, extra_schemes: Any = None,
) -> int:  # fmt: skip
    extra = sum(len(str(option)) for option in (target, rel) if option)
    return 3 * len(str(value)) + (str(value).count(" ") + 1) * (extra + 64)


_FILTER_SIZES: dict[str, Callable[..., int]] = {
    "replace": _replace_filter_size,
    "join": _join_filter_size,
    "indent": _indent_size,
    "wordwrap": _wordwrap_size,
    "format": _format_filter_size,
    "tojson": _tojson_size,
    "pprint": _pprint_size,
    "urlize": _urlize_size,
}
"""The size of a filter's result, foreseen from its arguments, for the filters whose result
can be far larger than what they are given."""


def _str_method_size(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """The size a call of a method of a string returns, foreseen where it can be large."""
    target = getattr(method, "__wrapped__", method)  # the sandbox wraps str.format
    text = getattr(target, "__self__", None)
    name = getattr(target, "__name__", "")
    if not isinstance(text, str):
        return 0
    if name == "replace" and len(args) >= 2:
        return _replace_size(text, *args[:3])
    if name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        return len(text) + text.count("\t") * (tab if isinstance(tab, int) else 0)
    if name == "join" and args:
        return _join_size(text, args[0])
    if name in ("format", "format_map"):
        return _format_size(text, (*args, *kwargs.values()))
    return 0


def _check_arguments(arguments: Iterable[Any]) -> None:
    """No argument larger than MAX_VALUE_SIZE, and no count or width past it either."""
    for argument in arguments:
        is_number = isinstance(argument, int) and not isinstance(argument, bool)
        if is_number and abs(argument) > MAX_VALUE_SIZE:
            raise SecurityError(f"a count or width larger than {MAX_VALUE_SIZE}")
        _check_size(argument)


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` with its arguments checked and its result size foreseen or checked.

    The wrapper takes the context (and hands `function` what it asks for): Jinja never
    runs a filter that takes the context while compiling, where no budget is charged."""
    passed = getattr(getattr(function, "jinja_pass_arg", None), "name", None)
    estimate = _FILTER_SIZES.get(name)

    def bounded(context: Context, *args: Any, **kwargs: Any) -> Any:
        _spend(1)
        values = [_materialized(value) for value in args]
        options = {key: _materialized(value) for key, value in kwargs.items()}
        _check_arguments([*values, *options.values()])
        if estimate is not None and values:
            _check_estimate(estimate(*values, **options))
        return check_result(function(*_passed(passed, context), *values, **options))

    functools.update_wrapper(bounded, function)
    return pass_context(bounded)


def _passed(kind: str | None, context: Context) -> tuple[Any, ...]:
    """What a filter marked `pass_context`, `pass_eval_context` or `pass_environment` takes."""
    if kind == "context":
        return (context,)
    if kind == "eval_context":
        return (context.eval_ctx,)
    if kind == "environment":
        return (context.environment,)
    return ()


@pass_context
def _counted_loop(context: Context, iterable: Any) -> Iterator[Any]:
    """Every `{% for %}` iterates through this (context passed: never folded as a constant)."""
    for item in iterable:
        _spend(1)
        yield item


def _bounded_range(*arguments: int) -> range:
    numbers = range(*arguments)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range() of more than {MAX_RANGE} numbers")
    return numbers


@pass_context
def _checked_output(context: Context, value: Any) -> Any:
    """Every `{{ expression }}` written out (context passed: evaluated at render time)."""
    size = value_size(value)
    _check_estimate(size)
    _spend(size // _CHARACTERS_PER_STEP)
    return value


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's compiler, with `~` checked and written text charged."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        text = sum(len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData))
        if text >= _CHARACTERS_PER_STEP:
            self.writeline(f"environment.charge_output({text})")
        super().visit_Output(node, frame)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with every cost bounded (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "-", "%"})
    code_generator_class = _BoundedCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=_checked_output, **options)
        self.globals["range"] = _bounded_range
        self.globals.pop("lipsum", None)
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.filters[_LOOP_FILTER] = _counted_loop

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Jinja's parse, with every `{% for %}` iterating through the counting filter."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(
                loop.iter, _LOOP_FILTER, [], [], None, None, lineno=loop.lineno
            )
        return tree

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _spend(1)
        _check_binop(operator, left, right)
        return check_result(super().call_binop(context, operator, left, right))

    def call(
        __self,  # Jinja's own signature: a call's keyword arguments may be named "self"
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        _spend(1)
        values = tuple(_materialized(value) for value in args)
        options = {key: _materialized(value) for key, value in kwargs.items()}
        _check_arguments([*values, *options.values()])
        _check_estimate(_str_method_size(__obj, values, options))
        return check_result(super().call(__context, __obj, *values, **options))

    def bounded_concat(self, parts: tuple[Any, ...]) -> str:
        """`a ~ b ~ ...`, refused before joining when the result would be too large."""
        _check_estimate(sum(value_size(part) for part in parts))
        return "".join(str(part) for part in parts)

    def charge_output(self, characters: int) -> None:
        """Charge the budget for `characters` of a template's own text, written out."""
        _spend(characters // _CHARACTERS_PER_STEP)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be too large, before computing it."""
    if operator == "**" and isinstance(right, int) and isinstance(left, int):
        if right > 0 and _digits(left) * right > MAX_INTEGER_DIGITS + 1:
            raise SecurityError(f"an integer of more than {MAX_INTEGER_DIGITS} digits")
    elif operator == "*":
        _check_product(left, right)
    elif operator == "+" and not isinstance(left, int | float):
        _check_estimate(value_size(left) + value_size(right))
    elif operator == "%" and isinstance(left, str):
        _check_estimate(_format_size(left, right))


def _check_product(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if _digits(left) + _digits(right) > MAX_INTEGER_DIGITS + 2:
            raise SecurityError(f"an integer of more than {MAX_INTEGER_DIGITS} digits")
        return
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(count, int):
            _check_estimate(value_size(sequence) * count)


ENVIRONMENT = BoundedSandbox(undefined=StrictUndefined, keep_trailing_newline=True)


def parse_checked(source: str) -> nodes.Template:
    """Parse `source` once its length and nesting are known to be within the limits."""
    if len(source) > MAX_TEMPLATE_LENGTH:
        raise SecurityError(f"a template longer than {MAX_TEMPLATE_LENGTH} characters")
    _check_brackets(source)
    try:
        tree = ENVIRONMENT.parse(source)
    except RecursionError:
        raise SecurityError(_too_deep()) from None
    _check_tree(tree)
    return tree


def _check_brackets(source: str) -> None:
    """Count brackets before parsing: Jinja's parser recurses a dozen calls per bracket."""
    depth = 0
    for _line, kind, value in ENVIRONMENT.lex(source):
        if kind != "operator":
            continue
        if value in "([{":
            depth += 1
            if depth > MAX_TEMPLATE_NESTING:
                raise SecurityError(_too_deep())
        elif value in ")]}":
            depth -= 1


def _check_tree(tree: nodes.Node) -> None:
    pending = [(tree, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_TEMPLATE_NESTING:
            raise SecurityError(_too_deep())
        pending.extend((child, depth + 1) for child in node.iter_child_nodes())


def _too_deep() -> str:
    return f"a template nested more than {MAX_TEMPLATE_NESTING} levels deep"


def render_checked(template: Template, context: Mapping[str, Any]) -> str:
    """Render `template`; its text, once written, must be within MAX_VALUE_SIZE."""
    return str(_check_size(template.render(context)))


def check_result(value: Any) -> Any:
    """`value`, the result of a single expression, once known to be within the limits."""
    return _check_integer(_check_size(value))
