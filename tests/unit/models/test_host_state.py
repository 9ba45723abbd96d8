"""HostState: valid states load, defaults are derived, the schema is complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from provision.models import HostState, parse_host_state
from provision.models.sources import NVIDIA_APT_BASE, PYTORCH_WHEEL_INDEX, join_url

FULL_STATE = Path(__file__).with_name("full_state.yaml")


def full_state() -> dict[str, Any]:
    data = yaml.safe_load(FULL_STATE.read_text())
    assert isinstance(data, dict)
    return data


def test_the_full_example_loads_with_every_section() -> None:
    state = parse_host_state(full_state(), "full_state.yaml")
    assert state.driver is not None and state.driver.version == "535.154.05"
    assert [toolkit.version for toolkit in state.cuda_toolkits] == ["11.7.1", "11.8.0", "12.1.1"]
    assert state.active_cuda == "11.8"
    assert sorted(state.cudnn) == ["11", "12"]
    assert state.cudnn["11"].source == "tarball"
    assert state.conda is not None and state.conda.envs[0].pytorch is not None
    assert state.conda.envs[0].pytorch.route == "conda"
    assert state.conda.envs[1].pytorch is not None
    assert state.conda.envs[1].pytorch.route == "pip"
    assert state.libtorch is not None and state.libtorch.cxx11_abi
    assert state.shell_profile.users == ("root", "alice")
    assert state.sources.conda_channels[-1] == "file:///srv/conda-mirror"
    assert state.reboot == "never"
    assert state.verify.require_gpu is False


def test_toolkit_paths_default_to_usr_local_cuda_x_y_unless_given() -> None:
    state = parse_host_state(full_state(), "w")
    paths = [toolkit.path for toolkit in state.cuda_toolkits]
    assert paths == ["/usr/local/cuda-11.7", "/usr/local/cuda-11.8", "/opt/cuda-12.1"]


def test_an_empty_state_is_valid_and_takes_the_documented_defaults() -> None:
    state = parse_host_state({}, "w")
    assert state.driver is None and state.cuda_toolkits == () and state.active_cuda is None
    assert state.reboot == "auto" and state.prune is False and state.verify.require_gpu
    assert state.sources.nvidia_apt_base == NVIDIA_APT_BASE
    assert state.sources.pytorch_wheel_index == PYTORCH_WHEEL_INDEX
    assert state.sources.conda_channels == ("pytorch", "nvidia")


def test_driver_defaults_follow_the_notes() -> None:
    state = parse_host_state({"driver": {"version": "570.26"}}, "w")
    assert state.driver is not None
    driver = state.driver
    assert (driver.source, driver.purge_conflicting, driver.blacklist_nouveau, driver.hold) == (
        "apt",
        True,
        True,
        True,
    )
    assert driver.open_kernel_modules is False


def test_a_single_toolkit_is_active_without_saying_so() -> None:
    state = parse_host_state(
        {"driver": {"version": "535.154.05"}, "cuda_toolkits": [{"version": "12.1.1"}]}, "w"
    )
    assert state.active_cuda == "12.1"
    active = state.active_toolkit()
    assert active is not None and active.version == "12.1.1"


@pytest.mark.parametrize("active", ["11.8", "11.8.0"])
def test_active_cuda_may_be_x_y_or_the_full_version_and_is_stored_as_x_y(active: str) -> None:
    state = parse_host_state(
        {
            "driver": {"version": "535.154.05"},
            "cuda_toolkits": [{"version": "11.8.0"}, {"version": "12.1.1"}],
            "active_cuda": active,
        },
        "w",
    )
    assert state.active_cuda == "11.8"


def test_conda_defaults() -> None:
    state = parse_host_state({"conda": {}}, "w")
    assert state.conda is not None
    assert (state.conda.installer, state.conda.prefix, state.conda.envs) == (
        "miniforge",
        "/opt/conda",
        (),
    )
    assert state.sources.conda_installer_url("miniforge").endswith("Miniforge3-Linux-x86_64.sh")
    assert state.sources.conda_installer_url("miniconda").endswith(
        "Miniconda3-latest-Linux-x86_64.sh"
    )


def test_libtorch_defaults() -> None:
    state = parse_host_state({"libtorch": {"version": "2.13.0", "variant": "cpu"}}, "w")
    assert state.libtorch is not None
    assert (state.libtorch.cxx11_abi, state.libtorch.path) == (True, "/opt/libtorch")


def test_states_are_frozen() -> None:
    state = parse_host_state({"driver": {"version": "535.154.05"}}, "w")
    with pytest.raises(ValidationError):
        state.prune = True  # type: ignore[misc]


def test_a_dumped_state_validates_back_to_the_same_state() -> None:
    state = parse_host_state(full_state(), "w")
    again = HostState.model_validate(json.loads(state.model_dump_json()))
    assert again == state


def test_the_json_schema_documents_every_field() -> None:
    schema = HostState.model_json_schema()
    assert schema["additionalProperties"] is False
    undocumented = [
        f"{model}.{name}"
        for model, definition in [("HostState", schema), *schema["$defs"].items()]
        for name, field in definition.get("properties", {}).items()
        if not field.get("description")
    ]
    assert undocumented == []
    driver = schema["$defs"]["Driver"]["properties"]["version"]
    assert driver["pattern"].startswith("^(") and driver["examples"] == ["535.154.05"]


def test_derived_download_locations() -> None:
    sources = parse_host_state({}, "w").sources
    assert sources.pytorch_index_url("cu118") == "https://download.pytorch.org/whl/cu118"
    assert sources.cudnn_tarball_url("8.9.7.29", "12") == (
        "https://developer.download.nvidia.com/compute/cudnn/redist/cudnn/linux-x86_64/"
        "cudnn-linux-x86_64-8.9.7.29_cuda12-archive.tar.xz"
    )
    mirror = parse_host_state(full_state(), "w").sources
    assert mirror.pytorch_index_url("cu118") == "http://127.0.0.1:8080/whl/cpu"


def test_the_driver_branch() -> None:
    state = parse_host_state({"driver": {"version": "535.154.05"}}, "w")
    assert state.driver is not None and state.driver.branch == 535


def test_join_url_uses_single_slashes() -> None:
    assert join_url("https://download.pytorch.org/whl/", "/cu118") == (
        "https://download.pytorch.org/whl/cu118"
    )
