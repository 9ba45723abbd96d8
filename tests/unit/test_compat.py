"""The compatibility matrix applied to desired states: a golden table of combinations."""

from __future__ import annotations

from typing import Any

import pytest

from provision.compat import Finding, check_compatibility
from provision.compat.cuda_drivers import MINOR_VERSION_FLOOR, TOOLKIT_MINIMUM_DRIVER
from provision.compat.pytorch_builds import TORCH_RELEASES
from provision.models import HostState, parse_host_state
from provision.models.versions import version_key


def state(**sections: Any) -> HostState:
    return parse_host_state(sections, "test")


def cuda(driver: str, *versions: str) -> HostState:
    return state(
        driver={"version": driver},
        cuda_toolkits=[{"version": version} for version in versions],
        active_cuda=".".join(versions[0].split(".")[:2]),
    )


def torch_env(
    version: str, variant: str, route: str = "pip", driver: str | None = None
) -> HostState:
    sections: dict[str, Any] = {
        "conda": {
            "envs": [
                {
                    "name": "torch",
                    "python": "3.11",
                    "pytorch": {"version": version, "variant": variant, "route": route},
                }
            ]
        }
    }
    if driver:
        sections["driver"] = {"version": driver}
    return state(**sections)


def libtorch(
    version: str, variant: str, driver: str | None = "570.124.06", **more: Any
) -> HostState:
    sections: dict[str, Any] = {"libtorch": {"version": version, "variant": variant, **more}}
    if driver:
        sections["driver"] = {"version": driver}
    return state(**sections)


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def test_driver_515_with_cuda_12_1_is_an_error_naming_both_fields_and_both_minimums() -> None:
    finding = only(check_compatibility(cuda("515.43.04", "12.1.0")))
    assert finding.level == "error"
    assert finding.fields == ("driver.version", "cuda_toolkits[0].version")
    assert "525.60.13" in finding.message and "530.30.02" in finding.message


def test_between_the_floor_and_the_toolkit_minimum_is_a_warning_naming_the_limitation() -> None:
    finding = only(check_compatibility(cuda("525.85.12", "12.1.0")))
    assert finding.level == "warning"
    assert finding.fields == ("driver.version", "cuda_toolkits[0].version")
    assert "530.30.02" in finding.message and "525.60.13" in finding.message
    assert "minor version compatibility" in finding.message and "PTX" in finding.message


@pytest.mark.parametrize(
    ("driver", "toolkit"),
    [("530.30.02", "12.1.0"), ("535.154.05", "11.7.1"), ("580.65.06", "13.0.0")],
)
def test_a_driver_at_the_toolkit_minimum_or_above_passes(driver: str, toolkit: str) -> None:
    assert check_compatibility(cuda(driver, toolkit)) == []


def test_driver_versions_compare_numerically_field_by_field() -> None:
    assert version_key("570.124.06") > version_key("570.26")
    assert check_compatibility(cuda("570.124.06", "12.8.1")) == []
    finding = only(check_compatibility(cuda("570.26", "12.8.1")))
    assert finding.level == "warning" and "570.124.06" in finding.message


def test_update_releases_use_their_own_minimum() -> None:
    assert check_compatibility(cuda("515.43.04", "11.7.0")) == []
    finding = only(check_compatibility(cuda("515.43.04", "11.7.1")))
    assert finding.level == "warning" and "515.48.07" in finding.message


@pytest.mark.parametrize(
    ("driver", "toolkit", "floor"),
    [("450.51.06", "11.8.0", "450.80.02"), ("575.57.08", "13.0.0", "580.65.06")],
)
def test_below_a_major_lines_floor_is_an_error(driver: str, toolkit: str, floor: str) -> None:
    finding = only(check_compatibility(cuda(driver, toolkit)))
    assert finding.level == "error" and floor in finding.message


def test_cuda_11_0_predates_the_11_x_floor_and_its_own_minimum_is_enough() -> None:
    assert check_compatibility(cuda("450.51.05", "11.0.2")) == []
    assert only(check_compatibility(cuda("450.36.06", "11.0.2"))).level == "error"


def test_cuda_12_7_does_not_exist() -> None:
    finding = only(check_compatibility(cuda("575.57.08", "12.7.0")))
    assert finding.level == "error" and "does not exist" in finding.message


def test_an_unknown_cuda_major_is_a_warning_that_says_so() -> None:
    finding = only(check_compatibility(cuda("610.43.02", "14.0.0")))
    assert finding.level == "warning"
    assert "does not know CUDA 14.0" in finding.message


def test_an_unknown_release_of_a_known_major_checks_the_floor_and_says_so() -> None:
    finding = only(check_compatibility(cuda("610.43.02", "13.9.0")))
    assert finding.level == "warning"
    assert (
        "does not know CUDA 13.9's own minimum" in finding.message
        and "580.65.06" in finding.message
    )
    assert only(check_compatibility(cuda("575.57.08", "13.9.0"))).level == "error"


def test_the_conda_route_ends_with_pytorch_2_5_1() -> None:
    assert check_compatibility(torch_env("2.5.1", "cu118", "conda", driver="535.154.05")) == []
    finding = only(check_compatibility(torch_env("2.6.0", "cu118", "conda", driver="535.154.05")))
    assert finding.level == "error"
    assert finding.fields == ("conda.envs[0].pytorch.route", "conda.envs[0].pytorch.version")
    assert "2.5.1" in finding.message and "route: pip" in finding.message


def test_a_pytorch_cuda_version_conda_never_had_is_an_error() -> None:
    finding = only(check_compatibility(torch_env("2.5.1", "cu126", "conda", driver="560.35.03")))
    assert finding.level == "error" and "pytorch-cuda=12.6" in finding.message
    assert "11.8, 12.1, 12.4" in finding.message


def test_a_variant_a_release_does_not_publish_is_an_error_listing_what_it_does() -> None:
    finding = only(check_compatibility(torch_env("2.13.0", "cu118", driver="535.154.05")))
    assert finding.level == "error"
    assert finding.fields == ("conda.envs[0].pytorch.variant",)
    assert "cpu, cu126, cu130, cu132" in finding.message


def test_a_partly_known_release_warns_on_a_variant_it_may_have() -> None:
    finding = only(check_compatibility(torch_env("2.11.0", "cu129", driver="575.57.08")))
    assert finding.level == "warning" and "may be incomplete" in finding.message
    finding = only(check_compatibility(torch_env("2.11.0", "cu118", driver="575.57.08")))
    assert finding.level == "error" and "cpu, cu126, cu128, cu130" in finding.message


def test_pytorch_2_13_0_cpu_needs_no_driver() -> None:
    assert check_compatibility(torch_env("2.13.0", "cpu")) == []


@pytest.mark.parametrize(
    ("driver", "level"),
    [("560.35.03", None), ("535.154.05", "warning"), ("515.43.04", "error")],
)
def test_a_cuda_build_of_pytorch_must_run_on_the_declared_driver(
    driver: str, level: str | None
) -> None:
    findings = check_compatibility(torch_env("2.13.0", "cu126", driver=driver))
    assert [finding.level for finding in findings] == ([level] if level else [])
    for finding in findings:
        assert finding.fields == ("driver.version", "conda.envs[0].pytorch.variant")


def test_a_cuda_build_without_a_declared_driver_is_a_warning() -> None:
    finding = only(check_compatibility(torch_env("2.13.0", "cu130")))
    assert finding.level == "warning" and "declares none" in finding.message


def test_an_unknown_pytorch_release_is_a_warning_that_says_so() -> None:
    finding = only(check_compatibility(torch_env("2.99.0", "cpu")))
    assert finding.level == "warning" and "does not know PyTorch 2.99.0" in finding.message


def test_libtorch_variants_and_driver_are_checked() -> None:
    assert check_compatibility(libtorch("2.13.0", "cpu", driver=None)) == []
    assert check_compatibility(libtorch("2.13.0", "cu130", driver="580.95.05")) == []
    finding = only(check_compatibility(libtorch("2.13.0", "cu118")))
    assert finding.level == "error" and finding.fields == ("libtorch.variant",)
    finding = only(check_compatibility(libtorch("2.13.0", "cu130", driver="575.57.08")))
    assert finding.level == "error" and finding.fields == ("driver.version", "libtorch.variant")


def test_pre_cxx11_libtorch_ends_with_2_6() -> None:
    assert check_compatibility(libtorch("2.6.0", "cpu", cxx11_abi=False)) == []
    finding = only(check_compatibility(libtorch("2.13.0", "cpu", cxx11_abi=False)))
    assert finding.level == "error"
    assert finding.fields == ("libtorch.cxx11_abi", "libtorch.version")


def cudnn_state(**builds: dict[str, str]) -> HostState:
    toolkits = {"11": "11.8.0", "12": "12.1.1", "13": "13.0.2"}
    return state(
        driver={"version": "580.95.05"},
        cuda_toolkits=[{"version": toolkits[major]} for major in builds],
        active_cuda=toolkits[next(iter(builds))][:4],
        cudnn=builds,
    )


def test_cudnn_8_from_apt_for_two_majors_is_an_error() -> None:
    both_apt = {"version": "8.9.7.29", "source": "apt"}
    finding = only(check_compatibility(cudnn_state(**{"11": both_apt, "12": both_apt})))
    assert finding.level == "error"
    assert finding.fields == ("cudnn.11.source", "cudnn.12.source")
    tarball = {"version": "8.9.7.29", "source": "tarball"}
    assert check_compatibility(cudnn_state(**{"11": both_apt, "12": tarball})) == []


def test_a_cudnn_without_a_build_for_the_major_is_an_error() -> None:
    finding = only(check_compatibility(cudnn_state(**{"12": {"version": "8.6.0.163"}})))
    assert finding.level == "error" and finding.fields == ("cudnn.12.version",)


def test_cudnn_rows_the_matrix_only_partly_knows_give_warnings() -> None:
    finding = only(check_compatibility(cudnn_state(**{"13": {"version": "9.8.0.87"}})))
    assert finding.level == "warning" and "is known to ship" in finding.message
    finding = only(check_compatibility(cudnn_state(**{"12": {"version": "10.1.0.1"}})))
    assert finding.level == "warning" and "does not know cuDNN 10.1.0.1" in finding.message


def test_open_kernel_modules_start_with_r515() -> None:
    finding = only(
        check_compatibility(state(driver={"version": "470.82.01", "open_kernel_modules": True}))
    )
    assert finding.level == "error" and "driver.open_kernel_modules" in finding.fields
    assert (
        check_compatibility(state(driver={"version": "515.43.04", "open_kernel_modules": True}))
        == []
    )


def test_errors_come_before_warnings() -> None:
    findings = check_compatibility(
        state(
            driver={"version": "525.85.12"},
            cuda_toolkits=[{"version": "12.1.0"}, {"version": "13.0.0"}],
            active_cuda="12.1",
        )
    )
    assert [finding.level for finding in findings] == ["error", "warning"]


WORKSTATION: dict[str, Any] = {
    "driver": {"version": "535.154.05", "source": "apt"},
    "cuda_toolkits": [{"version": "11.7.1"}, {"version": "11.8.0"}, {"version": "12.1.1"}],
    "active_cuda": "11.8",
    "cudnn": {
        "11": {"version": "8.9.7.29", "source": "tarball"},
        "12": {"version": "8.9.7.29", "source": "tarball"},
    },
    "conda": {
        "envs": [
            {"name": "torch", "python": "3.11", "pytorch": {"version": "2.5.1", "variant": "cu118"}}
        ]
    },
    "libtorch": {"version": "2.5.1", "variant": "cu118"},
}


def test_the_workstation_of_the_notes_is_clean() -> None:
    assert check_compatibility(parse_host_state(WORKSTATION, "w")) == []


def test_the_sandbox_lab_override_is_clean() -> None:
    lab = {
        **WORKSTATION,
        "conda": {
            "envs": [
                {
                    "name": "torch",
                    "python": "3.11",
                    "pytorch": {"version": "2.13.0", "variant": "cpu"},
                }
            ]
        },
        "libtorch": {"version": "2.13.0", "variant": "cpu"},
        "verify": {"require_gpu": False},
    }
    assert check_compatibility(parse_host_state(lab, "w")) == []


def test_pytorch_2_13_0_with_cu126_on_driver_535_is_honestly_a_warning() -> None:
    newer = {
        **WORKSTATION,
        "conda": {
            "envs": [
                {
                    "name": "torch",
                    "python": "3.11",
                    "pytorch": {"version": "2.13.0", "variant": "cu126"},
                }
            ]
        },
        "libtorch": {"version": "2.13.0", "variant": "cu126"},
    }
    findings = check_compatibility(parse_host_state(newer, "w"))
    assert {finding.level for finding in findings} == {"warning"}
    assert all("560.28.03" in finding.message for finding in findings)


def test_the_matrix_data_is_consistent() -> None:
    for release, entry in TOOLKIT_MINIMUM_DRIVER.items():
        floor = MINOR_VERSION_FLOOR[release.split(".")[0]]
        assert version_key(entry.ga) >= version_key(floor) or release == "11.0", release
        for update in entry.updates.values():
            assert version_key(update) >= version_key(entry.ga) or release == "11.0", release
    for version, torch_release in TORCH_RELEASES.items():
        assert "cpu" in torch_release.wheel_variants, version
        assert torch_release.source, version
