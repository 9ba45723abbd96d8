"""The connection layer is below the inventory: it takes `HostConnection` settings and
knows nothing of where they were read from."""

from __future__ import annotations

import ast
from pathlib import Path

CONNECTION = Path(__file__).resolve().parents[3] / "provision" / "connection"


def _imports(source: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            found.add(node.module)
    return found


def test_no_connection_module_imports_the_inventory() -> None:
    offenders = {
        source.name: sorted(
            name for name in _imports(source) if name.startswith("provision.inventory")
        )
        for source in sorted(CONNECTION.glob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}
