"""Creates each tool's virtual environment and reads what got installed into it.

Every tool gets its own venv under `.bench/venvs/<tool>`, filled by the venv's own pip with
pip's own configuration (index, proxy), so no registry is named here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from bench.errors import BenchError

VERSIONS_SCRIPT = (
    "import importlib.metadata as m, json, sys\n"
    "found = {}\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        found[name] = m.version(name)\n"
    "    except m.PackageNotFoundError:\n"
    "        pass\n"
    "print(json.dumps(found))\n"
)


def venv_python(venv: Path) -> Path:
    """The venv's interpreter."""
    return venv / "bin" / "python"


def venv_command(venv: Path, name: str) -> Path:
    """A console script installed into the venv (`provision`, `ansible-playbook`...)."""
    return venv / "bin" / name


def _run(argv: list[str], what: str) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BenchError(f"bench: {what} failed (exit {result.returncode}): {' | '.join(tail)}")
    return result.stdout


def ensure_venv(venv: Path) -> Path:
    """Create `venv` with this interpreter unless it exists; return its python."""
    python = venv_python(venv)
    if not python.is_file():
        venv.parent.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "venv", str(venv)], f"creating {venv}")
    return python


def pip_install(venv: Path, requirements: Iterable[str], *options: str) -> None:
    """`pip install` into `venv` with the venv's own pip (and pip's own configuration)."""
    python = ensure_venv(venv)
    argv = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*argv, *options, *requirements], f"pip install into {venv}")


def installed_versions(venv: Path, distributions: Iterable[str]) -> dict[str, str]:
    """The versions of `distributions` installed in `venv` (missing ones left out)."""
    output = _run(
        [str(venv_python(venv)), "-c", VERSIONS_SCRIPT, *distributions],
        f"reading versions in {venv}",
    )
    found: dict[str, str] = json.loads(output)
    python = _run([str(venv_python(venv)), "-c", "import sys; print(sys.version.split()[0])"], "")
    return {**found, "python": python.strip()}
