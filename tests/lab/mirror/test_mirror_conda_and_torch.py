"""The conda stand-in (installer, real conda JSON formats, rejected flags), the wheelhouse
(torch installs from it alone) and the real libtorch zip (CMake example builds and runs).
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from provision_lab.mirror import MirrorBuild

REPOSITORY = Path(__file__).resolve().parents[3]
EXAMPLE = REPOSITORY / "provision/templates/libtorch-example"
ISOLATED_PIP = {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def sh(
    *command: str | Path, cwd: Path | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **ISOLATED_PIP}
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        check=False,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def conda_prefix(mirror_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    prefix = tmp_path_factory.mktemp("conda") / "miniconda3"
    installer = mirror_root / "conda/miniconda/Miniconda3-latest-Linux-x86_64.sh"
    result = sh("bash", installer, "-b", "-p", prefix)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "installation finished." in result.stdout
    return prefix


def conda(prefix: Path, *arguments: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return sh(prefix / "bin/conda", *arguments, timeout=timeout)


def test_installer_refuses_an_existing_prefix_without_u(
    mirror_root: Path, conda_prefix: Path
) -> None:
    installer = mirror_root / "conda/miniconda/Miniconda3-latest-Linux-x86_64.sh"
    result = sh("bash", installer, "-b", "-p", conda_prefix)
    assert result.returncode == 1
    assert f"File or directory already exists: '{conda_prefix}'" in result.stderr


@pytest.mark.parametrize("flag", ["-x", "--prefix"])
def test_installer_rejects_unknown_flags(mirror_root: Path, tmp_path: Path, flag: str) -> None:
    installer = mirror_root / "conda/miniconda/Miniconda3-latest-Linux-x86_64.sh"
    result = sh("bash", installer, "-b", flag, "-p", tmp_path / "c")
    assert result.returncode == 1
    assert "did not recognize option" in result.stderr
    assert not (tmp_path / "c").exists()


def test_version_and_base_env(conda_prefix: Path) -> None:
    assert conda(conda_prefix, "--version").stdout.strip() == "conda 24.9.2"
    envs = json.loads(conda(conda_prefix, "env", "list", "--json").stdout)
    assert envs == {"envs": [str(conda_prefix)]}
    info = json.loads(conda(conda_prefix, "info", "--json").stdout)
    assert info["conda_version"] == "24.9.2" and info["root_prefix"] == str(conda_prefix)


@pytest.mark.parametrize(
    "arguments",
    [
        ("create", "-y", "-n", "x", "--strict-channel-priority"),
        ("update", "python"),
        ("env", "export"),
        ("list", "--explicit"),
        ("init", "bash"),
    ],
)
def test_unimplemented_commands_and_flags_are_rejected(
    conda_prefix: Path, arguments: tuple[str, ...]
) -> None:
    result = conda(conda_prefix, *arguments)
    assert result.returncode == 2
    assert "error" in result.stderr


def test_create_list_run_and_torch_from_the_wheelhouse(
    conda_prefix: Path, mirror: MirrorBuild
) -> None:
    created = conda(conda_prefix, "create", "-y", "-n", "lab", "python=3.11", "pip")
    assert created.returncode == 0, created.stdout + created.stderr
    env = conda_prefix / "envs/lab"
    records = sorted(path.name for path in (env / "conda-meta").glob("python-3.11.*.json"))
    assert len(records) == 1
    record = json.loads((env / "conda-meta" / records[0]).read_text())
    assert {"name", "version", "build", "build_number", "channel", "fn", "url", "subdir"} <= set(
        record
    )
    envs = json.loads(conda(conda_prefix, "env", "list", "--json").stdout)["envs"]
    assert envs == [str(conda_prefix), str(env)]

    wheels = Path(mirror.root) / mirror.wheels
    installed = conda(
        conda_prefix,
        "run",
        "-n",
        "lab",
        "pip",
        "install",
        "--no-index",
        "--find-links",
        str(wheels),
        "torch==2.13.0+cpu",
        timeout=600,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    ran = conda(
        conda_prefix,
        "run",
        "-n",
        "lab",
        "python",
        "-c",
        "import sys, torch; print(sys.prefix); "
        "print(torch.__version__, tuple(torch.rand(2, 3).shape))",
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [str(env), "2.13.0+cpu (2, 3)"]

    listed = {
        item["name"]: item
        for item in json.loads(conda(conda_prefix, "list", "-n", "lab", "--json").stdout)
    }
    assert listed["python"]["platform"] == "linux-64" and listed["python"]["channel"] == "pkgs/main"
    assert listed["torch"]["version"] == "2.13.0+cpu"
    assert listed["torch"]["build_string"] == "pypi_0" and listed["torch"]["channel"] == "pypi"


def test_install_of_an_unavailable_package_is_packages_not_found(conda_prefix: Path) -> None:
    conda(conda_prefix, "create", "-y", "-n", "other", "python=3.11")
    result = conda(
        conda_prefix, "install", "-y", "-n", "other", "pytorch-cuda=11.8", "-c", "nvidia"
    )
    assert result.returncode == 1
    assert "PackagesNotFoundError" in result.stderr and "pytorch-cuda=11.8" in result.stderr


def test_run_in_a_missing_env_fails(conda_prefix: Path) -> None:
    result = conda(conda_prefix, "run", "-n", "nope", "true")
    assert result.returncode == 1
    assert "EnvironmentLocationNotFound" in result.stderr


def test_wheelhouse_indexes(mirror: MirrorBuild) -> None:
    wheels = Path(mirror.root) / mirror.wheels
    assert any(path.name.startswith("torch-2.13.0+cpu-cp311") for path in wheels.glob("*.whl"))
    assert "torch-2.13.0%2Bcpu-cp311" in (wheels / "index.html").read_text()
    assert "../../torch-2.13.0%2Bcpu" in (wheels / "simple/torch/index.html").read_text()


def test_libtorch_zip_has_libtorch_layout(mirror: MirrorBuild) -> None:
    with zipfile.ZipFile(Path(mirror.root) / mirror.libtorch_zip) as archive:
        names = set(archive.namelist())
        assert archive.read("libtorch/build-version") == b"2.13.0+cpu\n"
    assert {
        "libtorch/include/torch/csrc/api/include/torch/torch.h",
        "libtorch/lib/libtorch.so",
        "libtorch/lib/libc10.so",
        "libtorch/share/cmake/Torch/TorchConfig.cmake",
    } <= names
    assert "libtorch/lib/libtorch_python.so" not in names
    alias = (Path(mirror.root) / mirror.libtorch_zip).with_name(
        "libtorch-shared-with-deps-2.13.0+cpu.zip"
    )
    assert alias.samefile(Path(mirror.root) / mirror.libtorch_zip)


def test_libtorch_example_compiles_and_prints_a_2x3_tensor(
    mirror: MirrorBuild, tmp_path: Path
) -> None:
    with zipfile.ZipFile(Path(mirror.root) / mirror.libtorch_zip) as archive:
        archive.extractall(tmp_path)
    for member in (tmp_path / "libtorch/lib").iterdir():
        member.chmod(0o755)
    build = tmp_path / "build"
    configured = sh(
        "cmake", f"-DCMAKE_PREFIX_PATH={tmp_path / 'libtorch'}", "-S", EXAMPLE, "-B", build
    )
    assert configured.returncode == 0, configured.stdout + configured.stderr
    built = sh("cmake", "--build", build, "-j2", timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    ran = sh(build / "example-app")
    assert ran.returncode == 0, ran.stderr
    rows = ran.stdout.strip().splitlines()
    assert rows[-1] == "[ CPUFloatType{2,3} ]"
    assert [len(row.split()) for row in rows[:-1]] == [3, 3]
