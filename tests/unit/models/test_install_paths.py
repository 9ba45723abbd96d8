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


OUTSIDE = ["/boot/grub", "/etc/ssh", "/etc/apt/x", "/root/.ssh", "/root/conda", "/var/opt/x",
           "/tmp/x", "/usr/lib/x", "/lib/modules/x", "/dev/shm/x", "/proc/x"]  # fmt: skip


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("path", OUTSIDE)
def test_folders_outside_the_install_roots_are_refused(field: str, path: str) -> None:
    with pytest.raises(InputError, match="is outside the folders provision installs into"):
        parse_host_state(state_with(field, path), "state.yaml")


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/usr/local/cuda", "is the link to the active CUDA toolkit"),
        ("/usr/local/cuda/", "is the link to the active CUDA toolkit"),
        ("/usr/local/lib/x", "is in the system folder /usr/local/lib"),
        ("/usr/local/bin/conda", "is in the system folder /usr/local/bin"),
        ("/home/ops", "is a user's home folder"),
        ("/home/ops/.ssh", "is a hidden folder"),
        ("/opt/.cache/x", "is a hidden folder"),
    ],
)
@pytest.mark.parametrize("field", FIELDS)
def test_folders_under_a_root_that_are_not_a_folder_of_their_own_are_refused(
    field: str, path: str, problem: str
) -> None:
    with pytest.raises(InputError, match=problem):
        parse_host_state(state_with(field, path), "state.yaml")


@pytest.mark.parametrize("path", ["/srv/conda", "/usr/local/libtorch", "/opt/a/b/c"])
@pytest.mark.parametrize("field", FIELDS)
def test_folders_of_their_own_under_each_root_are_accepted(field: str, path: str) -> None:
    parse_host_state(state_with(field, path), "state.yaml")


def test_an_install_folder_inside_another_is_refused_naming_both() -> None:
    state = {**state_with("conda", "/opt/stack"), **state_with("libtorch", "/opt/stack/libtorch")}
    with pytest.raises(InputError) as raised:
        parse_host_state(state, "state.yaml")
    assert raised.value.message == (
        "state.yaml: state: conda.prefix /opt/stack holds libtorch.path /opt/stack/libtorch: "
        "install folders must be separate"
    )


def test_a_toolkit_holding_libtorch_is_refused() -> None:
    state = {**state_with("cuda", "/opt/cuda-11.8/"), **state_with("libtorch", "/opt/cuda-11.8/t")}
    with pytest.raises(InputError, match=r"cuda_toolkits\[0\]\.path /opt/cuda-11\.8/ holds"):
        parse_host_state(state, "state.yaml")


def test_libtorch_and_conda_in_one_folder_are_refused() -> None:
    state = {**state_with("conda", "/opt/x"), **state_with("libtorch", "/opt/x/")}
    with pytest.raises(InputError, match=r"conda\.prefix and libtorch\.path are the same folder"):
        parse_host_state(state, "state.yaml")


def test_folders_that_only_share_a_prefix_of_their_names_are_separate() -> None:
    state = {**state_with("conda", "/opt/conda"), **state_with("libtorch", "/opt/conda2")}
    parse_host_state(state, "state.yaml")
