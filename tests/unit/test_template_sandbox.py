"""The bounded sandbox: every way a template could run for hours or fill memory is refused,
and templates within the limits render as before."""

from __future__ import annotations

import pytest

from provision.template_sandbox import MAX_TEMPLATE_NESTING, TemplateBudget
from provision.templating import TemplateError, VariableResolver


def render(source: str, **variables: object) -> object:
    return VariableResolver(variables).render(source, "state")


def refused(source: str, **variables: object) -> str:
    with pytest.raises(TemplateError) as raised:
        render(source, **variables)
    return raised.value.message


NESTED_LOOPS = "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (NESTED_LOOPS, "more than 100000 steps"),
        ("{% for i in range(10001) %}{% endfor %}", "range() of more than 10000 numbers"),
        ("{{ 99 ** 999 }}", "an integer of more than 1000 digits"),
        ("{{ 10 ** 1000 }}", "an integer of more than 1000 digits"),
        ("{{ ((999**999)**999)**999 }}", "an integer of more than 1000 digits"),
        ("{{ 10**600 * 10**600 }}", "an integer of more than 1000 digits"),
        ("{{ 'x'|center(10**9) }}", "a count or width larger than 1000000"),
        ("{{ 'x'.ljust(10**9) }}", "a count or width larger than 1000000"),
        ("{{ [1]|batch(10**9, 0)|list }}", "a count or width larger than 1000000"),
        ("{{ ('a' * 999999)|replace('a', 'bb') }}", "a value larger than 1000000"),
        ("{{ ('a' * 999999).replace('a', 'bb') }}", "a value larger than 1000000"),
        ("{{ ('\t' * 9999).expandtabs(9999) }}", "a value larger than 1000000"),
        ("{{ (['x' * 999] * 9999)|join }}", "a value larger than 1000000"),
        ("{{ range(9999)|map('center', 999)|join }}", "a value larger than 1000000"),
        ("{{ ('\n' * 9999)|indent('x' * 999) }}", "a value larger than 1000000"),
        ("{{ '%0999999999d' % 1 }}", "a value larger than 1000000"),
        ("{{ '{:>999999999}'.format(1) }}", "a value larger than 1000000"),
        ("{{ [[[[1]]]]|tojson(indent=999999) }}", "a value larger than 1000000"),
        ("{{ ('x' * 999999) ~ ('x' * 999999) }}", "a value larger than 1000000"),
        ("{{ ['x' * 999999] + ['x' * 999999] }}", "a value larger than 1000000"),
        ("{% set ns = namespace(s=[1]) %}{% for i in range(40) %}{% set ns.s = [ns.s, ns.s] %}"
         "{% endfor %}{{ ns.s }}", "a value larger than 1000000"),
        ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
         "{{ f(40) }}", "more than 100000 steps"),
        ("{% macro m() %}{% for i in range(9999) %}" + "y" * 9999 + "{% endfor %}{% endmacro %}"
         "{{ m()|length }}", "more than 100000 steps"),
        ("{% set l = [] %}{{ l.append(1) }}", "access to attribute 'append' of 'list' object"),
        ("{{ " + "(" * 40 + "1" + ")" * 40 + " }}", "a template nested more than 32 levels deep"),
        ("{{ " + " + ".join(["1"] * 500) + " }}", "a template nested more than 32 levels deep"),
        ("{{ " + "not " * 2000 + "x }}", "a template nested more than 32 levels deep"),
        ("{% if x %}" * 200 + "{% endif %}" * 200, "a template nested more than 32 levels deep"),
        ("{{ x }}" + " " * 100_000, "a template longer than 100000 characters"),
    ],
)  # fmt: skip
def test_a_template_past_a_limit_is_refused(source: str, problem: str) -> None:
    message = refused(source, x="1")
    assert message.startswith("template failed: SecurityError: ")
    assert problem in message


@pytest.mark.parametrize(
    ("source", "result"),
    [
        ("{% for i in range(3) %}{{ i }}{% endfor %}", "012"),
        ("{{ 'a'|center(5) }}|{{ [1, 2]|join(',') }}|{{ '%03d' % 7 }}", "  a  |1,2|007"),
        ("{{ '11.8.0'.split('.')[:2]|join('.') }}", "11.8"),
        ("{{ 2 ** 10 }}", 1024),
        ("{{ 10 ** 999 > 0 }}", True),
        ("{{ (10 ** 500) * (10 ** 499) > 0 }}", True),
        ("{{ range(10000)|list|length }}", 10000),
        ("{{ ('x' * 999999)|length }}", 999999),
        ("{{ {'a': 1}|tojson }}", '{"a": 1}'),
        ("{% for k, v in {'a': 1}.items() %}{{ k }}={{ v }}{% endfor %}", "a=1"),
        ("{% for i in [1, 2] %}{{ loop.index }}/{{ loop.length }} {% endfor %}", "1/2 2/2 "),
        ("{{ [3, 1, 2]|sort|map('string')|join }}", "123"),
    ],
)
def test_templates_within_the_limits_render_as_jinja_renders_them(
    source: str, result: object
) -> None:
    assert render(source) == result


def test_nesting_at_the_limit_compiles() -> None:
    depth = MAX_TEMPLATE_NESTING - 3  # Template > Output > the expression's own levels
    assert render("{{ " + "[" * depth + "1" + "]" * depth + "|length }}") == 1


def test_the_budget_is_one_hosts_all_renders() -> None:
    loop = "{% for i in range(9000) %}{% endfor %}"
    resolver = VariableResolver({"a": loop, "b": loop})
    for name in "ab" * 5:
        resolver.render("{{ " + name + " }}x", "state")  # resolved once each: cheap
    with pytest.raises(TemplateError, match="more than 100000 steps"):
        for round_ in range(20):  # each its own source: no render is reused from another
            resolver.render(f"{loop}{round_}", "state")


def test_a_budget_refuses_once_spent() -> None:
    budget = TemplateBudget(steps=2)
    budget.spend(2)
    with pytest.raises(Exception, match="more than"):
        budget.spend(1)
