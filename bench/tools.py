"""The tools the harness knows, by name, and how to build each one's adapter."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from bench.errors import BenchError
from bench.floor import FloorTool
from bench.provision_tool import ProvisionTool
from bench.tool import Tool

TOOL_NAMES = ("provision", "ansible", "pyinfra", "floor")
ADAPTERS = {
    "ansible": ("bench.ansible.tool", "AnsibleTool"),
    "pyinfra": ("bench.pyinfra.tool", "PyinfraTool"),
}


def load_tool(name: str, repository: Path) -> Tool:
    """The adapter of tool `name`; an adapter whose constructor requires an argument gets the
    repository root, one whose arguments all have defaults is built with none."""
    if name == "provision":
        return ProvisionTool(repository)
    if name == "floor":
        return FloorTool(repository)
    if name not in ADAPTERS:
        raise BenchError(f"bench: unknown tool {name!r} (known: {', '.join(TOOL_NAMES)})")
    module_name, class_name = ADAPTERS[name]
    try:
        adapter = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise BenchError(
            f"bench: no {name} adapter ({module_name}.{class_name}): {error}"
        ) from error
    parameters = inspect.signature(adapter).parameters.values()
    required = any(parameter.default is inspect.Parameter.empty for parameter in parameters)
    tool: Tool = adapter(repository) if required else adapter()
    return tool
