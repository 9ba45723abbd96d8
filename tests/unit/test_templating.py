"""Rendering playbook data: lazy variables, native single expressions, clear errors."""

from __future__ import annotations

import pytest

from provision.templating import TemplateError, VariableResolver, single_expression


def test_a_single_expression_keeps_its_native_type() -> None:
    resolver = VariableResolver({"toolkits": ["11.8.0", "12.1.1"], "flag": True, "port": 22})
    assert resolver.render("{{ toolkits }}", "state") == ["11.8.0", "12.1.1"]
    assert resolver.render("{{ flag }}", "state") is True
    assert resolver.render("{{ port + 1 }}", "state") == 23


def test_a_version_string_is_never_turned_into_a_number() -> None:
    resolver = VariableResolver({"cuda": "11.8", "driver": "535.154.05"})
    assert resolver.render("{{ cuda }}", "state") == "11.8"
    assert resolver.render("{{ driver }}", "state") == "535.154.05"


def test_text_around_an_expression_renders_to_a_string() -> None:
    resolver = VariableResolver({"cuda": "11.8"})
    assert resolver.render("/usr/local/cuda-{{ cuda }}", "state") == "/usr/local/cuda-11.8"


def test_variables_may_be_templates_of_other_variables() -> None:
    resolver = VariableResolver({"major": "11", "cuda": "{{ major }}.8", "home": "/c-{{ cuda }}"})
    assert resolver.render({"home": "{{ home }}"}, "state") == {"home": "/c-11.8"}


def test_an_unused_variable_that_cannot_render_does_not_fail() -> None:
    resolver = VariableResolver({"broken": "{{ nowhere }}", "fine": "ok"})
    assert resolver.render({"key": "{{ fine }}"}, "state") == {"key": "ok"}


def test_nested_data_is_walked_and_non_strings_kept() -> None:
    resolver = VariableResolver({"v": "x"})
    data = {"a": [1, "{{ v }}", {"b": None}], "c": 2.5}
    assert resolver.render(data, "state") == {"a": [1, "x", {"b": None}], "c": 2.5}


def test_default_filter_covers_a_missing_variable() -> None:
    assert VariableResolver({}).render("{{ missing | default('z') }}", "state") == "z"


def test_an_undefined_variable_is_named_with_its_path() -> None:
    resolver = VariableResolver({})
    with pytest.raises(TemplateError) as caught:
        resolver.render({"driver": {"version": "{{ driver_version }}"}}, "state")
    assert (
        str(caught.value)
        == "state.driver.version: undefined variable: 'driver_version' is undefined"
    )


def test_an_undefined_variable_inside_a_variable_names_that_variable() -> None:
    resolver = VariableResolver({"a": "{{ b }}"})
    with pytest.raises(
        TemplateError, match=r"^variable 'a': undefined variable: 'b' is undefined$"
    ):
        resolver.render("{{ a }}", "state")


def test_variables_that_refer_to_each_other_are_reported() -> None:
    resolver = VariableResolver({"a": "{{ b }}", "b": "{{ a }}"})
    with pytest.raises(TemplateError, match="variables refer to each other: a -> b -> a"):
        resolver.render("{{ a }}", "state")


def test_a_template_syntax_error_names_the_path() -> None:
    with pytest.raises(TemplateError, match=r"^state\.k: template syntax error: "):
        VariableResolver({}).render({"k": "{{ a "}, "state")


def test_templates_run_sandboxed() -> None:
    with pytest.raises(TemplateError, match="template failed: SecurityError"):
        VariableResolver({}).render("{{ ''.__class__.__mro__ }}", "state")


@pytest.mark.parametrize(
    "source",
    ["{{ 'a' * 10**10 }}", "{{ [0] * 10**9 }}", "{{ 10 ** (10 ** 10) }}", "{{ 2 ** 100000 }}"],
)
def test_a_template_cannot_exhaust_memory_or_cpu(source: str) -> None:
    with pytest.raises(TemplateError, match="template failed: SecurityError"):
        VariableResolver({}).render(source, "state")


def test_small_repetitions_and_powers_still_work() -> None:
    resolver = VariableResolver({"n": 3})
    assert resolver.render("{{ 'ab' * n }}", "state") == "ababab"
    assert resolver.render("{{ 2 ** 10 }}", "state") == 1024


def test_rendering_many_hosts_reuses_parsed_templates() -> None:
    source = "/usr/local/cuda-{{ cuda }}"
    for host in range(200):
        assert VariableResolver({"cuda": f"{host}.0"}).render(source, "s") == (
            f"/usr/local/cuda-{host}.0"
        )
    from provision.templating import _compiled_template

    assert _compiled_template.cache_info().hits >= 199


def test_renders_shared_across_hosts_still_follow_each_hosts_values() -> None:
    """Results are reused across resolvers only for the same variables, types included."""
    source = {"a": "{{ x }}", "b": "v{{ x }}"}
    results = [
        VariableResolver({"x": value}).render(source, "state") for value in (1, True, 1.0, "1")
    ]
    assert results == [
        {"a": 1, "b": "v1"},
        {"a": True, "b": "vTrue"},
        {"a": 1.0, "b": "v1.0"},
        {"a": "1", "b": "v1"},
    ]
    assert [type(result["a"]) for result in results] == [int, bool, float, str]


def test_variables_may_use_one_another_thirty_two_deep() -> None:
    variables: dict[str, object] = {f"v{i}": f"{{{{ v{i + 1} }}}}" for i in range(31)}
    variables["v31"] = "end"
    assert VariableResolver(variables).render("{{ v0 }}", "state") == "end"


def test_a_longer_chain_of_variables_is_refused_naming_it() -> None:
    variables: dict[str, object] = {f"v{i}": f"{{{{ v{i + 1} }}}}" for i in range(5000)}
    variables["v5000"] = "end"
    with pytest.raises(TemplateError) as raised:
        VariableResolver(variables).render("{{ v0 }}", "state")
    assert raised.value.path == "variable 'v32'"
    assert raised.value.message == (
        "variables use one another more than 32 deep: v0 -> v1 -> v2 -> ... -> v32"
    )


@pytest.mark.parametrize(
    ("source", "expression"),
    [
        ("{{ x }}", "x"),
        ("{{x}}", "x"),
        ("{{ x }}\n", "x"),
        ("{{ {'a': 1} }}", "{'a': 1}"),
        ("{{ a }} {{ b }}", None),
        ("{{ a }}}", None),
        ("x {{ a }}", None),
        ("{{  }}", None),
        ("{{ " + " " * 200_000 + "x", None),
    ],
)
def test_a_single_expression_is_found_in_linear_time(source: str, expression: str | None) -> None:
    assert single_expression(source) == expression
