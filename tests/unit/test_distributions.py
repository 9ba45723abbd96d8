"""The repository's two distributions: `provision`, the product a user installs, and
`provision-lab` (lab/), the sandbox lab for provision's own tests, which depends on
provision and never the other way round."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ROOT / "provision"


def _imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names.add(node.module)
    return names


def test_nothing_in_the_product_imports_the_lab() -> None:
    offenders = {
        str(source.relative_to(ROOT)): sorted(
            name for name in _imported_modules(source) if name.split(".")[0] == "provision_lab"
        )
        for source in sorted(PRODUCT.rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_product_names_the_lab_package_nowhere() -> None:
    """Not even as a string for importlib: the lab reaches the CLI only through its entry
    point, declared by the lab's own distribution."""
    mentions = [
        str(path.relative_to(ROOT))
        for path in sorted(PRODUCT.rglob("*"))
        if path.is_file() and path.suffix != ".pyc" and b"provision_lab" in path.read_bytes()
    ]
    assert mentions == []


@pytest.fixture(scope="module")
def product_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the product's files: setuptools reuses a `build/` folder, whose
    stale files would otherwise land in the wheel."""
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(PRODUCT, source / "provision", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, source / name)
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(source), "-w", str(folder)],
        check=True,
        capture_output=True,
    )
    (wheel,) = folder.glob("provision-*.whl")
    return wheel


def test_the_product_wheel_holds_no_lab_file(product_wheel: Path) -> None:
    names = zipfile.ZipFile(product_wheel).namelist()
    assert any(name == "provision/reconcile.py" for name in names)
    assert [name for name in names if not name.startswith(("provision/", "provision-"))] == []
    lab_like = [
        name
        for name in names
        if "lab" in Path(name).parts or "stand_in" in name or "pytest_plugin" in name
    ]
    assert lab_like == []
    entry_points = next(name for name in names if name.endswith("/entry_points.txt"))
    assert "pytest11" not in zipfile.ZipFile(product_wheel).read(entry_points).decode()


def test_the_wheel_alone_validates_and_refuses_the_lab_in_one_line(
    product_wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    # The venv gets no pip of its own (ensurepip costs seconds): this pip installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
         str(product_wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    provision = str(venv / "bin" / "provision")

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [provision, *arguments], cwd=tmp_path, capture_output=True, text=True, check=False
        )

    assert run("--help").returncode == 0
    assert '"HostState"' in run("schema").stdout
    validated = run(
        "validate",
        str(ROOT / "playbooks" / "workstation.yaml"),
        "-i",
        str(ROOT / "inventories" / "lab"),
    )
    assert (validated.returncode, validated.stderr) == (0, "")
    lab = run("lab", "up", "--hosts", "1")
    assert (lab.returncode, lab.stdout) == (2, "")
    assert lab.stderr.startswith("provision: error: the sandbox lab is not installed")
    assert lab.stderr.count("\n") == 1
