"""What NVIDIA's repository for each distribution carries, refused by release."""

from __future__ import annotations

import pytest

from provision.packaging.availability import toolkit_unavailable
from provision.packaging.distributions import find_distribution


@pytest.mark.parametrize(
    ("os_id", "version_id", "release", "first"),
    [("ubuntu", "24.04", "11.8", "12.5"), ("ubuntu", "24.04", "12.4", "12.5"),
     ("debian", "12", "11.8", "12.3"), ("debian", "12", "12.2", "12.3")],
)  # fmt: skip
def test_releases_before_the_first_are_refused_naming_the_nearest(
    os_id: str, version_id: str, release: str, first: str
) -> None:
    distribution = find_distribution(os_id, version_id)
    assert distribution is not None
    reason = toolkit_unavailable(distribution, release)
    assert reason is not None
    assert distribution.name in reason and distribution.nvidia_repository in reason
    assert f"no CUDA {release}" in reason and f"first toolkit is {first}" in reason


@pytest.mark.parametrize(
    ("os_id", "version_id", "release"),
    [("ubuntu", "24.04", "12.5"), ("debian", "12", "12.3"), ("debian", "12", "13.0"),
     ("ubuntu", "22.04", "11.8"), ("ubuntu", "20.04", "11.0")],
)  # fmt: skip
def test_carried_or_unknown_releases_pass(os_id: str, version_id: str, release: str) -> None:
    distribution = find_distribution(os_id, version_id)
    assert distribution is not None
    assert toolkit_unavailable(distribution, release) is None
