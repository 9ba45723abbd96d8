"""The Python wheelhouse: the real PyTorch CPU wheel and its dependencies, via `pip download`.

pip runs with this machine's own configuration (its indexes and find-links); no index host
is named here. The folder is flat (`pip install --no-index --find-links <url>/wheels/`, with
an `index.html` so it works over HTTP) and also carries a PEP 503 index under `simple/`.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from provision.errors import EnvironmentNotSupportedError
from provision_lab.mirror.catalog import WHEEL_PLATFORM, WHEEL_PYTHON_VERSION


def pip_download(options: list[str], requirements: list[str], wheels: Path, purpose: str) -> None:
    """`pip download` into `wheels` with this machine's pip configuration; a failure is one
    error naming the requirements, `purpose` and pip's last line."""
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        *options, "--dest", str(wheels), *requirements,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        raise EnvironmentNotSupportedError(
            f"pip download {' '.join(requirements)} failed for {purpose}: {detail[0]}"
        )


def download_wheels(requirements: list[str], wheels: Path) -> list[Path]:
    """`pip download` the requirements and their dependencies for CPython 3.11 x86_64.

    Files already in `wheels` are kept and not fetched again (pip skips them).
    """
    wheels.mkdir(parents=True, exist_ok=True)
    options = [
        "--only-binary=:all:", "--implementation", "cp", "--python-version",
        WHEEL_PYTHON_VERSION, "--platform", WHEEL_PLATFORM,
    ]  # fmt: skip
    pip_download(options, requirements, wheels, "the lab wheelhouse")
    write_indexes(wheels)
    return sorted(wheels.glob("*.whl"))


def project_name(wheel_name: str) -> str:
    """The PEP 503 normalized project name of a wheel file name."""
    return re.sub(r"[-_.]+", "-", wheel_name.split("-")[0]).lower()


def _page(title: str, links: list[tuple[str, str]]) -> str:
    anchors = "\n".join(
        f'    <a href="{html.escape(href)}">{html.escape(text)}</a><br/>' for href, text in links
    )
    return (
        '<!DOCTYPE html>\n<html>\n  <head><meta name="pypi:repository-version" '
        f'content="1.0"><title>{html.escape(title)}</title></head>\n  <body>\n'
        f"{anchors}\n  </body>\n</html>\n"
    )


def write_indexes(wheels: Path) -> None:
    """Write `index.html` (flat find-links page) and the PEP 503 tree under `simple/`."""
    files = sorted(path.name for path in wheels.glob("*.whl"))
    (wheels / "index.html").write_text(
        _page("Lab wheelhouse", [(quote(name), name) for name in files]), encoding="utf-8"
    )
    projects: dict[str, list[str]] = {}
    for name in files:
        projects.setdefault(project_name(name), []).append(name)
    simple = wheels / "simple"
    simple.mkdir(exist_ok=True)
    (simple / "index.html").write_text(
        _page("Simple index", [(f"{project}/", project) for project in sorted(projects)]),
        encoding="utf-8",
    )
    for project, names in projects.items():
        folder = simple / project
        folder.mkdir(exist_ok=True)
        links = [(f"../../{quote(name)}", name) for name in names]
        (folder / "index.html").write_text(_page(f"Links for {project}", links), encoding="utf-8")
