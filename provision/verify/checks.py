"""The checks a host must pass, derived from its desired `HostState` (never a hand-kept list).

Each resource module declares its own checks beside the changes it plans; this module only
puts them in the order the notes set a workstation up, as `provision.reconcile` does for
the changes.
"""

from __future__ import annotations

from provision.check import Check
from provision.models import HostState
from provision.resources import (
    conda,
    cuda,
    cudnn,
    driver,
    libtorch,
    nouveau,
    pytorch,
    shell_profile,
)


def _env_checks(state: HostState) -> list[Check]:
    if state.conda is None:
        return []
    found = []
    for env in state.conda.envs:
        found += conda.env_checks(state.conda.prefix, env)
        found += pytorch.env_checks(state, state.conda.prefix, env)
    return found


def derive_checks(state: HostState) -> list[Check]:
    """Every check `state` implies, in the order the notes set a workstation up."""
    return [
        *nouveau.checks(state),
        *driver.checks(state),
        *cuda.checks(state),
        *shell_profile.checks(state),
        *cudnn.checks(state),
        *_env_checks(state),
        *libtorch.checks(state),
    ]
