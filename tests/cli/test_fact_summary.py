"""The human-readable rows of `provision facts`, on the golden cases."""

from __future__ import annotations

from pathlib import Path

from provision.cli.fact_summary import summary_rows
from provision.facts import parse_facts

CASES = Path(__file__).parents[1] / "unit" / "facts" / "cases"


def rows(case: str) -> dict[str, str]:
    return dict(summary_rows(parse_facts((CASES / f"{case}.out").read_bytes(), "KEY")))


def test_a_workstation_in_rows() -> None:
    summary = rows("workstation")
    assert summary["driver"] == (
        "packages 535.154.05 (branch 535), module 535.154.05, loaded 535.154.05"
    )
    assert summary["cuda"] == "11.8 + cuDNN 8.6.0, 12.1 (active)"
    assert summary["gpus"] == "NVIDIA GeForce RTX 3090 (0000:01:00.0)"
    assert summary["shell"] == "alice: CUDA 12.1, 1 unmanaged CUDA export(s)"
    assert summary["apt"] == "dpkg lock free; held packages: nvidia-driver-535"
    assert summary["libtorch"] == "2.1.0+cu118 at /opt/libtorch"


def test_debians_branchless_driver_names_show_the_same_row() -> None:
    summary = rows("lab-converged")
    assert summary["driver"].startswith("packages 535.154.05 (branch 535), module 535.154.05")


def test_a_mismatch_and_a_held_lock_stand_out() -> None:
    summary = rows("driver-upgraded-not-rebooted")
    assert summary["driver"].endswith("MISMATCH (reboot needed)")
    assert summary["nouveau"] == "loaded: no, blacklisted: yes, initramfs: stale"
    assert summary["apt"].startswith("dpkg lock held by apt-get (4242)")


def test_a_fresh_host_without_driver_shows_its_pci_gpu() -> None:
    summary = rows("fresh-lab-host")
    assert summary["driver"] == "none"
    assert summary["gpus"] == "PCI 0000:01:00.0 device 0x2204 (no driver)"
    assert summary["nouveau"] == "loaded: yes, blacklisted: no"


def test_managed_files_get_a_row_each() -> None:
    summary = rows("managed-files")
    assert summary["/etc/apt/preferences.d"] == "not-a-file"
    assert summary["/etc/modprobe.d/blacklist-nouveau.conf"].startswith("644 root:root, sha256 ")
    assert summary["/var/log/big.log"].endswith("too large to hash")
