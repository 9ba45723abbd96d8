"""PyTorch in each env: pip from PyTorch's per-variant index, or (<= 2.5.1) conda.

pip: the env's own Python runs pip, `--index-url <index>/<variant>` (or the mirror's
index) and `torch==<version>+<variant>`: PyTorch's indexes name every build with its
variant as a local version label (`2.13.0+cpu`), and pinning it keeps pip from taking a
plain build from an extra index. conda: `conda install -y -p PREFIX/envs/NAME pytorch==V
pytorch-cuda=X.Y -c pytorch -c nvidia` (`cpuonly` instead of pytorch-cuda for cpu).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from provision import shell
from provision.check import Check, flag
from provision.credentials import public_url, url_login
from provision.facts.conda import CondaEnv as FoundEnv
from provision.facts.model import Facts
from provision.facts.provision_state import NETRC_PATH
from provision.models import CondaEnv, HostState, PyTorchBuild
from provision.models.versions import variant_cuda_release
from provision.plan import Change
from provision.resources.conda import (
    conda_executable,
    env_path,
    env_python,
    env_satisfied,
    foreign_prefix,
    found_env,
    from_conda,
)


def pip_version(build: PyTorchBuild) -> str:
    """The version pip reports for the build: `2.13.0+cpu`, `2.5.1+cu118`."""
    return f"{build.version}+{build.variant}"


def installed_build(build: PyTorchBuild, found: FoundEnv | None) -> str | None:
    """What the env holds, as the route installs it (pip version or conda version)."""
    if found is None:
        return None
    if build.route == "pip":
        return found.pip_torch
    return found.pytorch.version if found.pytorch else None


def pytorch_satisfied(build: PyTorchBuild, found: FoundEnv | None) -> bool:
    """Whether the env holds the wanted build."""
    if found is None:
        return False
    if build.route == "pip":
        return found.pip_torch == pip_version(build)
    cuda = variant_cuda_release(build.variant)
    return (
        found.pytorch is not None
        and found.pytorch.version == build.version
        and found.pytorch_cuda == cuda
    )


def pip_command(desired: HostState, prefix: str, env: CondaEnv, build: PyTorchBuild) -> str:
    """The env's pip installing the build. Index logins come from root's netrc file
    (`NETRC`), never the command line; a plain-http index, which the state must have
    marked trusted, is named to pip as a trusted host."""
    python = env_python(prefix, env.name)
    index = desired.sources.pytorch_index_url(build.variant)
    indexes = [index, *desired.sources.pip_extra_index_urls]
    extra = [
        word
        for url in desired.sources.pip_extra_index_urls
        for word in ("--extra-index-url", public_url(url))
    ]
    trusted = [
        word
        for url in indexes
        if url.startswith("http://")
        for word in ("--trusted-host", urlsplit(url).hostname or "")
    ]
    login = ["env", f"NETRC={NETRC_PATH}"] if any(url_login(url) for url in indexes) else []
    return shell.command(
        *login,
        python,
        "-m",
        "pip",
        "install",
        "--no-input",
        "--disable-pip-version-check",
        "--index-url",
        public_url(index),
        *extra,
        *trusted,
        f"torch=={pip_version(build)}",
    )


def conda_command(desired: HostState, prefix: str, env: CondaEnv, build: PyTorchBuild) -> str:
    """conda installing the build from the configured channels."""
    cuda = variant_cuda_release(build.variant)
    flavour = f"pytorch-cuda={cuda}" if cuda else "cpuonly"
    channels = [word for channel in desired.sources.conda_channels for word in ("-c", channel)]
    return shell.command(
        conda_executable(prefix),
        "install",
        "-y",
        "-p",
        env_path(prefix, env.name),
        f"pytorch=={build.version}",
        flavour,
        *channels,
    )


def plan_pytorch(desired: HostState, facts: Facts) -> list[Change]:
    """Install the wanted build in each env that lacks it (or is being created again)."""
    if desired.conda is None or foreign_prefix(desired, facts):
        return []
    changes = []
    for env in desired.conda.envs:
        build = env.pytorch
        if build is None:
            continue
        recreated = not env_satisfied(desired, facts, env)
        found = None if recreated else found_env(desired, facts, env.name)
        if pytorch_satisfied(build, found):
            continue
        before = installed_build(build, found)
        command = pip_command if build.route == "pip" else conda_command
        line = command(desired, desired.conda.prefix, env, build)
        changes.append(
            Change(
                task="pytorch",
                resource=f"torch in env {env.name}",
                before=before,
                after=pip_version(build),
                reason=f"torch {before or 'none'} in env {env.name}, {pip_version(build)} wanted "
                f"({build.route})",
                actions=(from_conda(desired.conda.prefix, line, timeout_s=3600.0),),
            )
        )
    return changes


def _cudnn_for(state: HostState, variant: str) -> str:
    """The desired cuDNN version for a `cuXYZ` build's CUDA major ('' when none is declared)."""
    if not variant.startswith("cu"):
        return ""
    major = variant[2:-1]
    build = state.cudnn.get(major)
    return build.version if build else ""


def env_checks(state: HostState, conda_prefix: str, env: CondaEnv) -> list[Check]:
    """The smoke test imports the desired build in the env, and runs on every GPU."""
    if env.pytorch is None:
        return []
    python = env_python(conda_prefix, env.name)
    return [
        Check(
            f"pytorch build in {env.name}", "smoke-build", python,
            f"the smoke test imports torch {env.pytorch.version} built for "
            f"{env.pytorch.variant}",
            {"python": python, "version": env.pytorch.version,
             "variant": env.pytorch.variant, "cudnn": _cudnn_for(state, env.pytorch.variant)},
            depends_on=f"conda env {env.name}",
        ),
        Check(
            f"pytorch on the GPUs in {env.name}", "smoke-gpu", python,
            "CUDA is available and matmul and conv2d on every GPU agree with the CPU"
            + ("" if state.verify.require_gpu else " (skipped when the host has no GPU)"),
            {"python": python, "require_gpu": flag(state.verify.require_gpu)},
            depends_on=f"conda env {env.name}",
        ),
    ]  # fmt: skip
