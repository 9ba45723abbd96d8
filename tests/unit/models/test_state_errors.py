"""Bad input in a host's state: one line naming where, the field path, and what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from provision.errors import ExitCode, InputError
from provision.models import parse_host_state

WHERE = "playbooks/w.yaml: play 1 'workstation', host lab-01"
DRIVER = {"version": "535.154.05"}


def message_for(state: Any) -> str:
    with pytest.raises(InputError) as caught:
        parse_host_state(state, WHERE)
    assert caught.value.exit_code == ExitCode.INVALID_INPUT
    assert "\n" not in caught.value.message
    return caught.value.message.removeprefix(f"{WHERE}: ")


CASES: list[tuple[str, Any, str]] = [
    (
        "a misspelt key suggests the nearest valid key",
        {"driver": {"verison": "535.154.05"}},
        "state.driver.verison: unknown key (did you mean 'version'?)",
    ),
    (
        "a misspelt section suggests the nearest section",
        {"cuda_toolkit": []},
        "state.cuda_toolkit: unknown key (did you mean 'cuda_toolkits'?)",
    ),
    (
        "an unknown key unlike any lists the valid keys",
        {"verify": {"zzz": True}},
        "state.verify.zzz: unknown key (valid keys: require_gpu)",
    ),
    (
        "a missing key is named",
        {"driver": {"source": "apt"}},
        "state.driver.version: required key is missing",
    ),
    (
        "a number where a string belongs",
        {"driver": {"version": 535}},
        "state.driver.version: expected a string, got int",
    ),
    (
        "an unquoted YAML float is caught with a hint, as 3.10 would read 3.1",
        {"conda": {"envs": [{"name": "torch", "python": 3.1}]}},
        "state.conda.envs[0].python: expected a string, got float 3.1 (YAML reads an unquoted "
        "3.1 as a number: quote it)",
    ),
    (
        "a string where a mapping belongs",
        {"driver": "535.154.05"},
        "state.driver: expected a mapping, got string",
    ),
    (
        "a mapping where a list belongs",
        {"driver": DRIVER, "cuda_toolkits": {"version": "11.8.0"}},
        "state.cuda_toolkits: expected a list, got mapping",
    ),
    (
        "a word where a boolean belongs",
        {"prune": "perhaps"},
        "state.prune: expected true or false, got string",
    ),
    (
        "a value outside a fixed set",
        {"driver": {"version": "535.154.05", "source": "rpm"}},
        "state.driver.source: 'rpm' is not one of 'apt', 'distro' or 'runfile'",
    ),
    (
        "a bad driver version",
        {"driver": {"version": "535.x"}},
        "state.driver.version: '535.x' is not a driver version like 535.154.05",
    ),
    (
        "a CUDA version needs three numbers",
        {"driver": DRIVER, "cuda_toolkits": [{"version": "11.8"}]},
        "state.cuda_toolkits[0].version: '11.8' is not a CUDA version like 11.8.0",
    ),
    (
        "a bad cuDNN version",
        {
            "driver": DRIVER,
            "cuda_toolkits": [{"version": "11.8.0"}],
            "cudnn": {"11": {"version": "8.9"}},
        },
        "state.cudnn.11.version: '8.9' is not a cuDNN version like 8.9.7.29",
    ),
    (
        "a bad PyTorch version",
        {
            "conda": {
                "envs": [
                    {
                        "name": "t",
                        "python": "3.11",
                        "pytorch": {"version": "2.5.1+cu118", "variant": "cu118"},
                    }
                ]
            }
        },
        "state.conda.envs[0].pytorch.version: '2.5.1+cu118' is not a PyTorch version like 2.5.1",
    ),
    (
        "a bad build variant",
        {"libtorch": {"version": "2.5.1", "variant": "cuda11.8"}},
        "state.libtorch.variant: 'cuda11.8' is not a build variant like cu118 or cpu",
    ),
    (
        "a relative install path",
        {"libtorch": {"version": "2.5.1", "variant": "cpu", "path": "opt/libtorch"}},
        "state.libtorch.path: 'opt/libtorch' is not an absolute path of letters, digits and "
        "._+- like /opt/libtorch",
    ),
    (
        "a path that climbs out",
        {"conda": {"prefix": "/opt/../etc"}},
        "state.conda.prefix: '/opt/../etc' is not an absolute path of letters, digits and "
        "._+- like /opt/libtorch",
    ),
    (
        "a URL of another scheme",
        {"sources": {"pytorch_wheel_index": "ftp://mirror/whl"}},
        "state.sources.pytorch_wheel_index: 'ftp://mirror/whl' is not an http, https or file "
        "URL without spaces, quotes or shell characters",
    ),
    (
        "CUDA without a driver",
        {"cuda_toolkits": [{"version": "11.8.0"}]},
        "state.cuda_toolkits: CUDA toolkits are declared but no driver: add a driver section",
    ),
    (
        "two toolkits of one X.Y",
        {"driver": DRIVER, "cuda_toolkits": [{"version": "11.8.0"}, {"version": "11.8.1"}]},
        "state.cuda_toolkits: CUDA 11.8 is declared twice (11.8.0 and 11.8.1); one toolkit "
        "per X.Y can be installed",
    ),
    (
        "two toolkits in one folder",
        {
            "driver": DRIVER,
            "cuda_toolkits": [
                {"version": "11.8.0"},
                {"version": "12.1.1", "path": "/usr/local/cuda-11.8"},
            ],
            "active_cuda": "11.8",
        },
        "state.cuda_toolkits: two toolkits share the install path /usr/local/cuda-11.8",
    ),
    (
        "several toolkits and none active",
        {"driver": DRIVER, "cuda_toolkits": [{"version": "11.8.0"}, {"version": "12.1.1"}]},
        "state.active_cuda: required when several CUDA toolkits are declared: one of 11.8, 12.1",
    ),
    (
        "an active CUDA that is not declared",
        {"driver": DRIVER, "cuda_toolkits": [{"version": "11.8.0"}], "active_cuda": "12.1"},
        "state.active_cuda: CUDA 12.1 is not one of the declared toolkits (11.8.0)",
    ),
    (
        "an active CUDA with no toolkits",
        {"active_cuda": "12.1"},
        "state.active_cuda: CUDA 12.1 is active but no CUDA toolkit is declared",
    ),
    (
        "a toolkit major without cuDNN",
        {
            "driver": DRIVER,
            "cuda_toolkits": [{"version": "11.8.0"}, {"version": "12.1.1"}],
            "active_cuda": "11.8",
            "cudnn": {"11": {"version": "8.9.7.29"}},
        },
        "state.cudnn: no cuDNN build for CUDA 12, whose toolkit is declared (cuDNN must match "
        "each CUDA major)",
    ),
    (
        "cuDNN for a major with no toolkit",
        {
            "driver": DRIVER,
            "cuda_toolkits": [{"version": "11.8.0"}],
            "cudnn": {11: {"version": "8.9.7.29"}, 12: {"version": "8.9.7.29"}},
        },
        "state.cudnn: a cuDNN build for CUDA 12 is declared but no CUDA 12 toolkit",
    ),
    (
        "a sha256 for an apt install",
        {"driver": {"version": "535.154.05", "runfile_sha256": "a" * 64}},
        "state.driver.runfile_sha256: a runfile sha256 is given but the driver's source is 'apt'",
    ),
    (
        "a sha256 for the distribution's driver",
        {"driver": {"version": "535.261.03", "source": "distro", "runfile_sha256": "a" * 64}},
        "state.driver.runfile_sha256: a runfile sha256 is given but the driver's source is "
        "'distro'",
    ),
    (
        "a malformed sha256",
        {"libtorch": {"version": "2.5.1", "variant": "cpu", "sha256": "abc"}},
        "state.libtorch.sha256: 'abc' is not a sha256 digest of 64 lowercase hex digits",
    ),
    (
        "conda's base env",
        {"conda": {"envs": [{"name": "base", "python": "3.11"}]}},
        "state.conda.envs[0].name: 'base' is conda's own env; give the env another name",
    ),
    (
        "two envs of one name",
        {"conda": {"envs": [{"name": "t", "python": "3.11"}, {"name": "t", "python": "3.12"}]}},
        "state.conda.envs: env 't' is declared twice",
    ),
    (
        "a bad reboot policy",
        {"reboot": "sometimes"},
        "state.reboot: 'sometimes' is not one of 'auto' or 'never'",
    ),
]


@pytest.mark.parametrize(
    ("state", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_each_kind_of_bad_input_prints_its_message(state: Any, expected: str) -> None:
    assert message_for(state) == expected


def test_the_first_error_is_reported_and_the_rest_counted() -> None:
    message = message_for({"driver": {"version": "x"}, "prune": "x", "reboot": "x"})
    assert message == (
        "state.driver.version: 'x' is not a driver version like 535.154.05 (and 2 more errors)"
    )


def test_one_more_error_is_counted_in_the_singular() -> None:
    message = message_for({"driver": {"version": "x"}, "prune": "x"})
    assert message.endswith("(and 1 more error)")


def test_a_misspelt_key_is_one_error_not_also_a_missing_one() -> None:
    message = message_for({"driver": {"verison": "535.154.05"}})
    assert message == "state.driver.verison: unknown key (did you mean 'version'?)"


def test_an_unknown_key_is_reported_before_other_errors() -> None:
    message = message_for({"prune": "x", "driver": {"version": "535.154.05", "hodl": True}})
    assert message == "state.driver.hodl: unknown key (did you mean 'hold'?) (and 1 more error)"


def test_a_state_that_is_not_a_mapping() -> None:
    assert message_for(["driver"]) == "state: expected a mapping, got list"
