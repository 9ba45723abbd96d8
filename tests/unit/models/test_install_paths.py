"""Install paths are replaced or written into whole: no top-level or system folder passes."""

from __future__ import annotations

from typing import Any

import pytest

from provision.errors import InputError
from provision.models import parse_host_state

DRIVER = {"version": "535.154.05"}


def state_with(field: str, path: str) -> dict[str, Any]:
    """A state whose install path `field` is `path`."""
    states: dict[str, dict[str, Any]] = {
        "libtorch": {"libtorch": {"version": "2.5.1", "variant": "cpu", "path": path}},
        "conda": {"conda": {"prefix": path}},
        "cuda": {"driver": DRIVER, "cuda_toolkits": [{"version": "11.8.0", "path": path}]},
    }
    return states[field]


FIELDS = ["libtorch", "conda", "cuda"]
REFUSED = [
    "/usr",
    "/usr/",
    "/opt",
    "/home",
    "/etc",
    "/var",
    "/root",
    "/boot",
    "/bin",
    "/lib",
    "/srv",
    "/libtorch",
    "/usr/local",
    "/usr/local/",
    "/usr/lib",
    "/usr/share",
    "/var/lib",
]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("path", REFUSED)
def test_top_level_and_system_folders_are_refused(field: str, path: str) -> None:
    with pytest.raises(InputError, match="top-level or system folder"):
        parse_host_state(state_with(field, path), "state.yaml")


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("path", ["/opt/libtorch", "/usr/local/cuda-11.8", "/home/ops/conda"])
def test_a_folder_of_its_own_is_accepted(field: str, path: str) -> None:
    parse_host_state(state_with(field, path), "state.yaml")
