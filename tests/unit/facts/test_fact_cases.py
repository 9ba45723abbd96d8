"""Golden cases: raw fact-script output (`cases/NAME.out`, rendered with key `KEY`) ->
the `Facts` JSON document (`cases/NAME.json`).

To add a case, write its `.out` by hand and review the `.json` that
`python tests/unit/facts/test_fact_cases.py NAME` writes before committing it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from provision.facts import Facts, parse_facts

CASES = Path(__file__).parent / "cases"
KEY = "KEY"


def case_names() -> list[str]:
    return sorted(path.stem for path in CASES.glob("*.out"))


def parse_case(name: str) -> Facts:
    return parse_facts((CASES / f"{name}.out").read_bytes(), KEY)


@pytest.mark.parametrize("name", case_names())
def test_case(name: str) -> None:
    expected = json.loads((CASES / f"{name}.json").read_text())
    facts = parse_case(name)
    assert json.loads(facts.model_dump_json()) == expected
    assert Facts.model_validate_json(facts.model_dump_json()) == facts


def test_every_case_has_an_expectation() -> None:
    assert case_names()
    assert {path.stem for path in CASES.glob("*.json")} == set(case_names())


def test_the_bare_host_knows_nothing_but_is_complete() -> None:
    facts = parse_case("bare-host")
    assert facts.complete
    assert facts.kernel.nouveau.loaded is None
    assert facts.nvidia.loaded_module_version is None and facts.nvidia.mismatch is None
    assert facts.cuda.toolkits == () and facts.conda is None and facts.libtorch is None
    assert facts.shell[0].home is None


def test_a_fresh_lab_host_has_nouveau_and_no_driver() -> None:
    facts = parse_case("fresh-lab-host")
    assert facts.kernel.nouveau.loaded is True
    assert not facts.kernel.nouveau.blacklisted
    assert facts.nvidia.packages == () and facts.nvidia.loaded_module_version is None
    assert [device.is_gpu for device in facts.nvidia.pci_devices] == [True]
    assert facts.cuda.toolkits == ()
    assert facts.conda is not None and not facts.conda.exists
    assert facts.libtorch is not None and not facts.libtorch.exists


def test_a_converged_workstation() -> None:
    facts = parse_case("workstation")
    nvidia, cuda = facts.nvidia, facts.cuda
    assert (facts.os.id, facts.os.version_id) == ("ubuntu", "22.04")
    assert facts.kernel.secure_boot is False and facts.kernel.firmware == "efi"
    assert facts.kernel.nouveau.blacklisted and facts.kernel.nouveau.initramfs_fresh
    assert facts.kernel.nouveau.loaded is False
    assert (nvidia.driver_branch, nvidia.package_version) == ("535", "535.154.05")
    assert nvidia.loaded_module_version == nvidia.installed_module_version == "535.154.05"
    assert nvidia.userspace_version == "535.154.05" and nvidia.mismatch is False
    assert [gpu.name for gpu in nvidia.gpus] == ["NVIDIA GeForce RTX 3090"]
    assert {user.pid for user in nvidia.device_users} == {1234, 2001}
    assert [(t.path, t.release) for t in cuda.toolkits] == [
        ("/usr/local/cuda-11.8", "11.8"),
        ("/usr/local/cuda-12.1", "12.1"),
    ]
    assert cuda.active_release == "12.1" and cuda.package_releases == ("11.8", "12.1")
    assert cuda.toolkits[0].cudnn is not None and cuda.toolkits[0].cudnn.version == "8.6.0"
    assert cuda.toolkits[1].cudnn is None
    assert {item.version for item in facts.cudnn.system} == {"8.9.7"}
    assert {package.cuda for package in facts.cudnn.packages} == {"12.2"}
    bashrc = facts.shell[0].files[0]
    assert bashrc.block is not None and bashrc.block.cuda_release == "12.1"
    assert [line.number for line in bashrc.unmanaged_exports] == [6]
    assert facts.apt.held == ("nvidia-driver-535",) and not facts.apt.lock_held
    assert facts.conda is not None and facts.conda.version == "23.9.0"
    envs = {env.name: env for env in facts.conda.envs}
    assert envs["torch"].pytorch is not None and envs["torch"].pytorch.version == "2.1.0"
    assert envs["torch"].pytorch_cuda == "11.8" and envs["torch"].python == "3.10.13"
    assert envs["pip-torch"].pip_torch == "2.1.0+cu118" and envs["pip-torch"].pytorch is None
    assert facts.libtorch is not None and facts.libtorch.variant == "cu118"


def test_an_upgraded_driver_before_reboot_is_a_mismatch() -> None:
    facts = parse_case("driver-upgraded-not-rebooted")
    assert facts.nvidia.loaded_module_version == "535.154.05"
    assert facts.nvidia.installed_module_version == "550.54.14"
    assert facts.nvidia.mismatch is True
    assert facts.nvidia.driver_branch == "550"
    assert facts.nvidia.gpus[0].bus_id == "0000:3b:00.0"
    assert facts.kernel.nouveau.initramfs_fresh is False
    assert facts.apt.lock_held and {h.pid for h in facts.apt.lock_holders} == {4242}
    assert facts.kernel.secure_boot is True


def test_file_content_cannot_forge_sections_and_keeps_its_bytes() -> None:
    facts = parse_case("hostile-shell-file")
    assert facts.kernel.uid == 1000 and not facts.gathered_as_root
    bob = facts.shell[0]
    bashrc, profile = bob.files
    assert profile.state == "unreadable"
    assert bashrc.block is not None and bashrc.block.cuda_release == "11.8"
    raw = (CASES / "hostile-shell-file.out").read_bytes()
    start = raw.index(b"# BEGIN provision: cuda\r\n") + len(b"# BEGIN provision: cuda\r\n")
    content = raw[start : raw.index(b"# END provision: cuda")]
    assert bashrc.block.sha256 == hashlib.sha256(content).hexdigest()
    assert [line.text for line in bashrc.unmanaged_exports] == [
        "export CUDA_PATH=/opt/cuda",
        "PATH=$PATH:/usr/local/cuda/bin",
    ]


def test_managed_files_with_exact_hashes() -> None:
    facts = parse_case("managed-files")
    blacklist = facts.file("/etc/modprobe.d/blacklist-nouveau.conf")
    assert blacklist is not None and blacklist.content == (
        "blacklist nouveau\noptions nouveau modeset=0\n"
    )
    assert blacklist.sha256 == hashlib.sha256(blacklist.content.encode()).hexdigest()
    assert (blacklist.mode, blacklist.owner, blacklist.group) == ("644", "root", "root")
    missing = facts.file("/etc/apt/sources.list.d/provision cuda.list")
    assert missing is not None and missing.state == "missing"
    directory = facts.file("/etc/apt/preferences.d")
    assert directory is not None and directory.state == "not-a-file"
    latin = facts.file("/home/ops/.bashrc")
    assert latin is not None and latin.sha256 == hashlib.sha256(b"caf\xe9\r\nno").hexdigest()
    big = facts.file("/var/log/big.log")
    assert big is not None and big.size == 70000 and big.content is None and big.sha256 is None
    assert facts.file("/not/requested") is None


def test_output_cut_short_is_not_complete() -> None:
    assert not parse_case("cut-short").complete


if __name__ == "__main__":
    for case in sys.argv[1:]:
        document = json.loads(parse_case(case).model_dump_json())
        (CASES / f"{case}.json").write_text(json.dumps(document, indent=2) + "\n")


def test_a_reboot_left_pending_counts_only_in_the_boot_it_was_left_in() -> None:
    pending = parse_case("left-reboot-pending").provision.reboot_pending
    assert pending == "loaded driver 535.154.05 differs from the installed 550.54.15"
    assert parse_case("reboot-pending-of-an-older-boot").provision.reboot_pending is None
    assert parse_case("fresh-lab-host").provision.reboot_pending is None


def test_the_lock_claim_names_the_run_holding_it() -> None:
    claim = parse_case("left-reboot-pending").provision.lock
    assert claim is not None and claim.result == "held"
    assert claim.holder is not None and '"run_id": "other-run"' in claim.holder
    assert parse_case("workstation").provision.lock is None
