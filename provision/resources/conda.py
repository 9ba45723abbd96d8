"""conda (the Miniforge or Miniconda installer, in batch mode) and its envs.

Installer: `bash <installer> -b -p PREFIX`; `-u` too only when the prefix holds an
interrupted conda install (conda's own record in `conda-meta`). A prefix folder that
exists with no conda record is someone else's: reported as unmanaged, and neither the
installer nor any env or PyTorch change is planned for it. Env: `conda create -y -p
PREFIX/envs/NAME python=X.Y`, by path rather than `-n` so that the env lands where the
facts look whatever the user's `envs_dirs` says; an env with another Python is created
again (with -y conda replaces it, and the PyTorch task then installs into the new env).
"""

from __future__ import annotations

from provision import shell
from provision.artifacts import checksum
from provision.check import Check
from provision.facts.conda import CondaEnv as FoundEnv
from provision.facts.conda import CondaFacts
from provision.facts.model import Facts
from provision.models import CondaEnv, HostState
from provision.plan import Change, Command, Unmanaged
from provision.tasks.commands import cached_path, download
from provision.trusted_paths import trusted_tree


def conda_facts(desired: HostState, facts: Facts) -> CondaFacts | None:
    """The facts of the desired prefix (None when the facts looked elsewhere or nowhere)."""
    if desired.conda is None or facts.conda is None or facts.conda.prefix != desired.conda.prefix:
        return None
    return facts.conda


def conda_executable(prefix: str) -> str:
    """The conda program of an install."""
    return f"{prefix.rstrip('/')}/bin/conda"


def from_conda(prefix: str, line: str, timeout_s: float = 1800.0) -> Command:
    """`line`, which runs programs of the conda install at `prefix`, guarded: root runs it
    only while that install is root's alone (no file of it another user's or writable by
    one), so a user who could write there cannot have root run their code."""
    return Command(
        command=f"{trusted_tree(prefix)} && {line}", timeout_s=timeout_s, functions=("path-guards",)
    )


def found_env(desired: HostState, facts: Facts, name: str) -> FoundEnv | None:
    """The env `name` the facts found at the desired prefix."""
    found = conda_facts(desired, facts)
    return next((env for env in found.envs if env.name == name), None) if found else None


def python_matches(wanted: str, found: str | None) -> bool:
    """`3.11` is satisfied by 3.11.9, not by 3.1 or 3.12."""
    return found is not None and (found == wanted or found.startswith(wanted + "."))


def env_satisfied(desired: HostState, facts: Facts, env: CondaEnv) -> bool:
    """Whether the env exists with the wanted Python."""
    found = found_env(desired, facts, env.name)
    return found is not None and python_matches(env.python, found.python)


def env_path(prefix: str, name: str) -> str:
    """Where the env `name` of the install at `prefix` lives (and where the facts look)."""
    return f"{prefix.rstrip('/')}/envs/{name}"


def env_python(prefix: str, name: str) -> str:
    """The Python interpreter of the env `name` of the install at `prefix`."""
    return f"{env_path(prefix, name)}/bin/python"


def foreign_prefix(desired: HostState, facts: Facts) -> bool:
    """Whether the desired prefix is a folder that holds no conda install: no conda
    program and no record of conda's own package in `conda-meta`."""
    found = conda_facts(desired, facts)
    return (
        found is not None and found.exists and not found.conda_executable and found.version is None
    )


def unmanaged_prefix(desired: HostState, facts: Facts) -> list[Unmanaged]:
    """The conda prefix when it is someone else's folder, left alone."""
    if desired.conda is None or not foreign_prefix(desired, facts):
        return []
    return [
        Unmanaged(
            kind="conda-prefix",
            resource=desired.conda.prefix,
            detail="the folder exists but holds no conda install (no conda-meta record): "
            "left alone, no conda or envs installed into it; move it away or set "
            "conda.prefix to another folder",
        )
    ]


def plan_conda(desired: HostState, facts: Facts) -> list[Change]:
    """Run the installer when the prefix has no conda (and is not someone else's folder)."""
    conda = desired.conda
    if conda is None or foreign_prefix(desired, facts):
        return []
    found = conda_facts(desired, facts)
    if found is not None and found.conda_executable:
        return []
    url = desired.sources.conda_installer_url(conda.installer)
    resume = found is not None and found.exists
    flags = ["-b", "-u", "-p", conda.prefix] if resume else ["-b", "-p", conda.prefix]
    install = Command(command=shell.command("bash", cached_path(url), *flags), timeout_s=1800.0)
    return [
        Change(
            task="conda",
            resource=conda.prefix,
            before="interrupted conda install" if resume else None,
            after=f"{conda.installer} installed",
            reason=f"no conda in {conda.prefix}",
            actions=(*download(url, checksum(desired, url, conda.installer_sha256)), install),
        )
    ]


def plan_conda_envs(desired: HostState, facts: Facts) -> list[Change]:
    """Create each env that is missing or holds another Python."""
    conda = desired.conda
    if conda is None or foreign_prefix(desired, facts):
        return []
    changes = []
    for env in conda.envs:
        if env_satisfied(desired, facts, env):
            continue
        found = found_env(desired, facts, env.name)
        before = None if found is None else f"python {found.python or 'unknown'}"
        path = env_path(conda.prefix, env.name)
        create = shell.command(
            conda_executable(conda.prefix), "create", "-y", "-p", path, f"python={env.python}"
        )
        changes.append(
            Change(
                task="conda-env",
                resource=path,
                before=before,
                after=f"python {env.python}",
                reason=f"env {env.name} "
                + (
                    "missing"
                    if found is None
                    else f"has python {found.python}, {env.python} wanted"
                ),
                actions=(from_conda(conda.prefix, create),),
            )
        )
    return changes


def unmanaged_envs(desired: HostState, facts: Facts) -> list[Unmanaged]:
    """Envs at the desired prefix that are not declared (`base` is conda's own)."""
    found = conda_facts(desired, facts)
    if desired.conda is None or found is None:
        return []
    declared = {env.name for env in desired.conda.envs}
    return [
        Unmanaged(
            kind="conda-env",
            resource=env.path,
            detail=f"env {env.name} (python {env.python or 'unknown'})",
            pruned=desired.prune,
        )
        for env in found.envs
        if env.name != "base" and env.name not in declared
    ]


def plan_prune_envs(desired: HostState, facts: Facts) -> list[Change]:
    """With prune, remove undeclared envs (`conda env remove`)."""
    if not desired.prune or desired.conda is None:
        return []
    conda = conda_executable(desired.conda.prefix)
    return [
        Change(
            task="conda-env",
            resource=finding.resource,
            before=finding.detail,
            after="absent",
            reason="not declared, and prune is set",
            actions=(
                from_conda(
                    desired.conda.prefix,
                    shell.command(conda, "env", "remove", "-y", "-p", finding.resource),
                ),
            ),
        )
        for finding in unmanaged_envs(desired, facts)
    ]


def env_checks(conda_prefix: str, env: CondaEnv) -> list[Check]:
    """The env exists with its Python."""
    prefix = env_path(conda_prefix, env.name)
    return [Check(
        f"conda env {env.name}", "conda-env", prefix,
        f"the env exists with python {env.python}",
        {"prefix": prefix, "python": env.python},
    )]  # fmt: skip
