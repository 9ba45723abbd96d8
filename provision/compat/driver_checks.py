"""Does a driver run what is built for a CUDA release? The one rule behind every CUDA check."""

from __future__ import annotations

from provision.compat.cuda_drivers import (
    MINOR_COMPAT_LIMITATION,
    MINOR_VERSION_FLOOR,
    NONEXISTENT_RELEASES,
    TOOLKIT_MINIMUM_DRIVER,
)
from provision.compat.finding import Finding, error, warning
from provision.models.versions import version_key


def check_driver_runs(
    driver: str, release: str, patch: int, fields: tuple[str, ...], what: str
) -> list[Finding]:
    """Findings for running `what` (built for CUDA `release`.`patch`) on driver `driver`.

    Below the CUDA major's minor-version floor: error. Between the floor and the release's
    own minimum: warning naming the limitation. Releases the matrix lacks: warning.
    """
    if release in NONEXISTENT_RELEASES:
        return [error(fields, f"CUDA {release} does not exist: NVIDIA skipped it")]
    major = release.split(".")[0]
    floor = MINOR_VERSION_FLOOR.get(major)
    entry = TOOLKIT_MINIMUM_DRIVER.get(release)
    minimum = entry.minimum(patch) if entry else None
    if floor is None and minimum is None:
        return [
            warning(
                fields,
                f"the compatibility matrix does not know CUDA {release}: whether driver "
                f"{driver} runs {what} is not checked",
            )
        ]
    if minimum is not None and version_key(driver) >= version_key(minimum):
        return []
    if floor is not None and version_key(driver) < version_key(floor):
        own = f"; CUDA {release} itself needs >= {minimum}" if minimum else ""
        return [
            error(
                fields,
                f"driver {driver} cannot run {what}: CUDA {major}.x needs a driver >= {floor} "
                f"(its minor version compatibility floor){own}",
            )
        ]
    if minimum is None:
        return [
            warning(
                fields,
                f"the compatibility matrix does not know CUDA {release}'s own minimum driver; "
                f"only the CUDA {major}.x floor {floor} was checked for {what}",
            )
        ]
    if floor is None:
        return [error(fields, f"driver {driver} cannot run {what}: it needs >= {minimum}")]
    return [
        warning(
            fields,
            f"driver {driver} is below {minimum}, the minimum for {what}, but at or above "
            f"the CUDA {major}.x floor {floor}: {MINOR_COMPAT_LIMITATION}",
        )
    ]
