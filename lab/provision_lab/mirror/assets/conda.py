"""LAB STAND-IN for conda @CONDA_VERSION@ (provision's sandbox lab only; not Anaconda's conda).

No conda can be had offline here, so this implements only what provision emits: `create`,
`install`, `env list`, `list`, `run`, `info`, `--version`, backed by venv and the host's
python3, printing real conda's JSON formats. Anything else is rejected (exit 2).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

CONDA_VERSION = "@CONDA_VERSION@"
PREFIX = Path(__file__).resolve().parent.parent
CHANNEL = "https://repo.anaconda.com/pkgs/main"
PYPI_CHANNEL = "https://conda.anaconda.org/pypi"
PYTHON = ".".join(str(part) for part in sys.version_info[:3])


class CondaError(Exception):
    """An error conda reports as `<Name>: <message>` with exit code 1."""


def build_string(name: str, version: str) -> str:
    """A stable conda-style build string (`h1a2b3c4_0`) for a stand-in record."""
    return "h" + hashlib.sha256(f"{name}-{version}".encode()).hexdigest()[:7] + "_0"


def record(name: str, version: str, requested: str) -> dict[str, object]:
    """A conda-meta record in real conda's PrefixRecord layout (content fields left empty)."""
    build = build_string(name, version)
    file_name = f"{name}-{version}-{build}.conda"
    return {
        "build": build,
        "build_number": 0,
        "channel": f"{CHANNEL}/linux-64",
        "constrains": [],
        "depends": [],
        "extracted_package_dir": str(PREFIX / "pkgs" / file_name.removesuffix(".conda")),
        "features": "",
        "files": [],
        "fn": file_name,
        "license": "LAB STAND-IN",
        "link": {"source": "", "type": 1},
        "md5": "",
        "name": name,
        "package_tarball_full_path": str(PREFIX / "pkgs" / file_name),
        "paths_data": {"paths": [], "paths_version": 1},
        "requested_spec": requested,
        "sha256": "",
        "size": 0,
        "subdir": "linux-64",
        "timestamp": 0,
        "url": f"{CHANNEL}/linux-64/{file_name}",
        "version": version,
    }


def write_records(prefix: Path, records: list[dict[str, object]], command: str) -> None:
    """Write `conda-meta/<dist>.json` files and append to `conda-meta/history`."""
    meta = prefix / "conda-meta"
    meta.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    lines = [f"==> {stamp} <==", f"# cmd: {command}", f"# conda version: {CONDA_VERSION}"]
    for item in records:
        dist = f"{item['name']}-{item['version']}-{item['build']}"
        (meta / f"{dist}.json").write_text(json.dumps(item, indent=2) + "\n", encoding="utf-8")
        lines.append(f"+defaults/linux-64::{dist}")
    with (meta / "history").open("a", encoding="utf-8") as history:
        history.write("\n".join(lines) + "\n")


def environments() -> list[Path]:
    """The base prefix and every env under `envs/` that has conda-meta."""
    envs = sorted(path for path in (PREFIX / "envs").glob("*") if (path / "conda-meta").is_dir())
    return [PREFIX, *envs]


def target_prefix(arguments: argparse.Namespace, must_exist: bool = True) -> Path:
    """The env a command names with -n/-p (base when neither)."""
    if arguments.prefix:
        prefix = Path(arguments.prefix)
    elif arguments.name and arguments.name != "base":
        prefix = PREFIX / "envs" / arguments.name
    else:
        prefix = PREFIX
    if must_exist and not (prefix / "conda-meta").is_dir():
        raise CondaError(f"EnvironmentLocationNotFound: Not a conda environment: {prefix}")
    return prefix


def check_specs(specs: list[str], channels: list[str]) -> list[tuple[str, str]]:
    """(name, spec) pairs this stand-in can satisfy; anything else is PackagesNotFoundError."""
    satisfied: list[tuple[str, str]] = []
    missing: list[str] = []
    for spec in specs:
        name, _, version = spec.replace("==", "=").partition("=")
        if name == "pip" or (name == "python" and PYTHON.startswith(version.rstrip("*"))):
            satisfied.append((name, spec))
        else:
            missing.append(spec)
    if missing:
        listed = "\n".join(f"  - {spec}" for spec in missing)
        shown = "\n".join(f"  - {channel}" for channel in channels or ["defaults"])
        raise CondaError(
            "PackagesNotFoundError: The following packages are not available from current "
            f"channels:\n\n{listed}\n\nCurrent channels:\n\n{shown}\n"
        )
    return satisfied


def installed_pip_version(prefix: Path) -> str:
    """The pip version a venv holds (from its dist-info), or `""` without pip."""
    for info in sorted(prefix.glob("lib/python*/site-packages/pip-*.dist-info")):
        return info.name.removeprefix("pip-").removesuffix(".dist-info")
    return ""


def command_create(arguments: argparse.Namespace) -> int:
    prefix = target_prefix(arguments, must_exist=False)
    specs = check_specs(arguments.specs, arguments.channel)
    if not arguments.yes:
        raise CondaError("CondaValueError: this lab stand-in needs -y/--yes (no prompts)")
    if prefix.exists():
        print(f"WARNING: A conda environment already exists at '{prefix}'")
        shutil.rmtree(prefix)
    subprocess.run([sys.executable, "-m", "venv", str(prefix)], check=True)
    records = [record("python", PYTHON, dict(specs).get("python", "python"))]
    pip_version = installed_pip_version(prefix)
    if pip_version:
        records.append(record("pip", pip_version, dict(specs).get("pip", "")))
    write_records(prefix, records, " ".join(sys.argv))
    print(f"\n#\n# To activate this environment, use\n#\n#     $ conda activate {prefix.name}\n#")
    return 0


def command_install(arguments: argparse.Namespace) -> int:
    target_prefix(arguments)
    check_specs(arguments.specs, arguments.channel)
    print("\n# All requested packages already installed.\n")
    return 0


def pip_records(prefix: Path, known: set[str]) -> list[dict[str, object]]:
    """Packages pip installed into the env, as `conda list --json` shows them (`pypi_0`)."""
    found: list[dict[str, object]] = []
    for info in sorted(prefix.glob("lib/python*/site-packages/*.dist-info")):
        name, _, version = info.name.removesuffix(".dist-info").partition("-")
        name = name.lower().replace("_", "-")
        if name in known:
            continue
        found.append(
            {
                "base_url": PYPI_CHANNEL,
                "build_number": 0,
                "build_string": "pypi_0",
                "channel": "pypi",
                "dist_name": f"{name}-{version}-pypi_0",
                "name": name,
                "platform": "pypi",
                "version": version,
            }
        )
    return found


def listed_packages(prefix: Path) -> list[dict[str, object]]:
    """Every package of an env in `conda list --json` form, sorted by name."""
    packages: list[dict[str, object]] = []
    for path in sorted((prefix / "conda-meta").glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        packages.append(
            {
                "base_url": CHANNEL,
                "build_number": item["build_number"],
                "build_string": item["build"],
                "channel": "pkgs/main",
                "dist_name": f"{item['name']}-{item['version']}-{item['build']}",
                "name": item["name"],
                "platform": "linux-64",
                "version": item["version"],
            }
        )
    packages.extend(pip_records(prefix, {str(item["name"]) for item in packages}))
    return sorted(packages, key=lambda item: str(item["name"]))


def command_list(arguments: argparse.Namespace) -> int:
    prefix = target_prefix(arguments)
    packages = listed_packages(prefix)
    if arguments.json:
        print(json.dumps(packages, indent=2))
        return 0
    print(f"# packages in environment at {prefix}:\n#")
    print(f"# {'Name':<24}{'Version':<26}{'Build':<7}Channel")
    for item in packages:
        channel = "pypi" if item["channel"] == "pypi" else ""
        print(f"{item['name']!s:<26}{item['version']!s:<21}{item['build_string']!s:>12}  {channel}")
    return 0


def command_env_list(arguments: argparse.Namespace) -> int:
    envs = environments()
    if arguments.json:
        print(json.dumps({"envs": [str(path) for path in envs]}, indent=2))
        return 0
    print("# conda environments:\n#")
    for path in envs:
        name = "base" if path == PREFIX else path.name
        print(f"{name:<23}{'*' if path == PREFIX else ' '}  {path}")
    return 0


def command_info(arguments: argparse.Namespace) -> int:
    if arguments.envs:
        return command_env_list(arguments)
    info = {
        "active_prefix": os.environ.get("CONDA_PREFIX"),
        "channels": [f"{CHANNEL}/linux-64", f"{CHANNEL}/noarch"],
        "conda_version": CONDA_VERSION,
        "default_prefix": str(PREFIX),
        "envs": [str(path) for path in environments()],
        "envs_dirs": [str(PREFIX / "envs")],
        "pkgs_dirs": [str(PREFIX / "pkgs")],
        "platform": "linux-64",
        "python_version": f"{PYTHON}.final.0",
        "root_prefix": str(PREFIX),
        "root_writable": os.access(PREFIX, os.W_OK),
    }
    if arguments.json:
        print(json.dumps(info, indent=2))
    else:
        print(f"     active environment : None\n          conda version : {CONDA_VERSION}")
        print(f"       base environment : {PREFIX}")
    return 0


def command_run(arguments: argparse.Namespace) -> int:
    prefix = target_prefix(arguments)
    if not arguments.command:
        raise CondaError("ArgumentError: No command specified")
    environment = dict(os.environ)
    environment["PATH"] = f"{prefix / 'bin'}{os.pathsep}{environment.get('PATH', '')}"
    environment["CONDA_PREFIX"] = str(prefix)
    environment["CONDA_DEFAULT_ENV"] = "base" if prefix == PREFIX else prefix.name
    completed = subprocess.run(arguments.command, env=environment, cwd=arguments.cwd, check=False)
    return completed.returncode


def command_record_base(arguments: argparse.Namespace) -> int:
    """Installer-only: write the base env's records (python, pip, conda)."""
    records = [record("python", PYTHON, "python"), record("conda", CONDA_VERSION, "conda")]
    pip_version = installed_pip_version(PREFIX)
    if pip_version:
        records.append(record("pip", pip_version, "pip"))
    write_records(PREFIX, records, "Miniconda3 installer (lab stand-in)")
    return 0


def add_target(parser: argparse.ArgumentParser) -> None:
    target = parser.add_mutually_exclusive_group()
    target.add_argument("-n", "--name")
    target.add_argument("-p", "--prefix")


def add_solver_options(parser: argparse.ArgumentParser) -> None:
    add_target(parser)
    parser.add_argument("-y", "--yes", action="store_true")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("-c", "--channel", action="append", default=[])
    parser.add_argument("--override-channels", action="store_true")
    parser.add_argument("specs", nargs="*")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="conda", description="conda (sandbox lab stand-in)")
    top.add_argument("-V", "--version", action="version", version=f"conda {CONDA_VERSION}")
    commands = top.add_subparsers(dest="command_name", required=True)
    for name, handler in (("create", command_create), ("install", command_install)):
        sub = commands.add_parser(name)
        add_solver_options(sub)
        sub.set_defaults(handler=handler)
    listing = commands.add_parser("list")
    add_target(listing)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=command_list)
    env = commands.add_parser("env").add_subparsers(dest="env_command", required=True)
    env_list = env.add_parser("list")
    env_list.add_argument("--json", action="store_true")
    env_list.set_defaults(handler=command_env_list)
    info = commands.add_parser("info")
    info.add_argument("--json", action="store_true")
    info.add_argument("-e", "--envs", action="store_true")
    info.set_defaults(handler=command_info)
    run = commands.add_parser("run")
    add_target(run)
    run.add_argument("--no-capture-output", "--live-stream", action="store_true")
    run.add_argument("--cwd")
    run.add_argument("command", nargs=argparse.REMAINDER)
    run.set_defaults(handler=command_run)
    commands.add_parser("_lab_record_base").set_defaults(handler=command_record_base)
    return top


def main() -> int:
    arguments = parser().parse_args()
    try:
        result: int = arguments.handler(arguments)
    except CondaError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
