"""The pyinfra adapter's pure parts: variants, its inventory, its command, the workstation data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bench.errors import BenchError
from bench.pyinfra import workstation
from bench.pyinfra.inventory_file import render_inventory
from bench.pyinfra.tool import DEPLOY, REPOSITORY, PyinfraTool, default_parallel
from bench.tool import Lab, LabHost


def make_lab(tmp_path: Path, hosts: int = 2) -> Lab:
    return Lab(
        hosts=tuple(
            LabHost(
                name=f"lab-{index:02d}",
                address="127.0.0.1",
                port=40000 + index,
                user="root",
                private_key=tmp_path / "ssh" / "id_ed25519",
                known_hosts=tmp_path / "ssh" / "known_hosts",
            )
            for index in range(1, hosts + 1)
        ),
        inventory=tmp_path / "inventory" / "hosts.yaml",
        mirror_url="http://127.0.0.1:8123",
        mirror_apt_source="deb [trusted=yes] http://127.0.0.1:8123/apt ./",
        workdir=tmp_path / "work",
    )


def test_default_parallelism_follows_pyinfra_rules() -> None:
    assert default_parallel(5, cpus=2, open_files=20000) == 5
    assert default_parallel(100, cpus=2, open_files=20000) == 40
    assert default_parallel(100, cpus=8, open_files=100) == 30


def test_variants_add_parallel_only_when_the_default_is_lower() -> None:
    tool = PyinfraTool()
    assert tool.variants(1) == ["default"]
    hosts = default_parallel(10**6) + 1
    assert tool.variants(hosts) == ["default", f"parallel-{hosts}"]


def test_inventory_is_literal_python_with_ssh_settings_and_mirror(tmp_path: Path) -> None:
    lab = make_lab(tmp_path)
    tree = ast.parse(render_inventory(lab))
    assignment = next(node for node in tree.body if isinstance(node, ast.Assign))
    assert [target.id for target in assignment.targets if isinstance(target, ast.Name)] == ["gpu"]
    hosts, data = ast.literal_eval(assignment.value)
    assert [name for name, _ in hosts] == ["lab-01", "lab-02"]
    assert hosts[1][1] == {
        "ssh_hostname": "127.0.0.1",
        "ssh_port": 40002,
        "ssh_user": "root",
        "ssh_key": str(tmp_path / "ssh" / "id_ed25519"),
        "ssh_known_hosts_file": str(tmp_path / "ssh" / "known_hosts"),
        "ssh_strict_host_key_checking": "yes",
    }
    assert data == {
        "lab_mirror_url": "http://127.0.0.1:8123",
        "lab_mirror_apt_source": "deb [trusted=yes] http://127.0.0.1:8123/apt ./",
    }


def test_inventory_keeps_odd_paths_as_data(tmp_path: Path) -> None:
    odd = tmp_path / "it's \"here\"\n__import__('os')"
    tree = ast.parse(render_inventory(make_lab(odd, hosts=1)))
    assignment = next(node for node in tree.body if isinstance(node, ast.Assign))
    hosts, _ = ast.literal_eval(assignment.value)
    assert hosts[0][1]["ssh_key"] == str(odd / "ssh" / "id_ed25519")


def test_invocation_writes_the_inventory_and_runs_the_deploy(tmp_path: Path) -> None:
    lab = make_lab(tmp_path)
    venv = tmp_path / "venv"
    invocation = PyinfraTool().invocation("default", lab, venv)
    inventory = lab.workdir / "inventory.py"
    assert invocation.argv == [str(venv / "bin" / "pyinfra"), "-y", str(inventory), str(DEPLOY)]
    assert inventory.read_text() == render_inventory(lab)
    assert invocation.env == {"PYTHONPATH": str(REPOSITORY)}
    assert invocation.cwd == lab.workdir
    assert DEPLOY.is_file()


def test_parallel_variant_passes_parallel(tmp_path: Path) -> None:
    invocation = PyinfraTool().invocation("parallel-50", make_lab(tmp_path), tmp_path / "venv")
    assert invocation.argv[1:4] == ["-y", "--parallel", "50"]


@pytest.mark.parametrize("variant", ["forks-5", "parallel-0", "parallel-x", ""])
def test_unknown_variant_is_refused(tmp_path: Path, variant: str) -> None:
    with pytest.raises(BenchError, match="pyinfra has no variant"):
        PyinfraTool().invocation(variant, make_lab(tmp_path), tmp_path / "venv")


def test_conflicting_drivers_are_other_branches_only() -> None:
    installed = {
        "nvidia-driver-515": ["515.105.01-0ubuntu1"],
        "nvidia-dkms-515": ["515.105.01-0ubuntu1"],
        "libnvidia-compute-550": ["550.54.15-0ubuntu1"],
        "nvidia-driver-535": ["535.154.05-0ubuntu1"],
        "nvidia-utils-535": ["535.154.05-0ubuntu1"],
        "nvidia-container-toolkit": ["1.14.3-1"],
        "cuda-toolkit-11-8": ["11.8.0-1"],
        "cuda-drivers": ["515.105.01-1"],
    }
    assert workstation.conflicting_driver_packages(installed) == [
        "cuda-drivers",
        "libnvidia-compute-550",
        "nvidia-dkms-515",
        "nvidia-driver-515",
    ]


def test_cuda_drivers_of_the_wanted_branch_stays() -> None:
    installed = {"cuda-drivers": ["535.154.05-1"], "cuda-drivers-535": ["535.154.05-1"]}
    assert workstation.conflicting_driver_packages(installed) == []


def test_toolkits_kept_through_a_purge() -> None:
    names = ["cuda-toolkit-11-8", "cuda-toolkit-11-8-config-common", "cuda-toolkit", "vim"]
    assert workstation.installed_toolkit_packages(names) == ["cuda-toolkit-11-8"]


def test_missing_holds() -> None:
    packages = ["nvidia-driver-535", "libcudnn8"]
    assert workstation.missing_holds(None, packages) == packages
    assert workstation.missing_holds("libcudnn8\nnvidia-driver-535\n", packages) == []
    assert workstation.missing_holds("libcudnn8\n", packages) == ["nvidia-driver-535"]


def test_profile_block_matches_provision_template() -> None:
    from provision.models import CudaToolkit
    from provision.resources.shell_profile import block_content

    toolkit = CudaToolkit(version="11.8.0", source="apt", path="/usr/local/cuda-11.8")
    assert (workstation.cuda_profile_block("11.8") + "\n").encode() == block_content(toolkit)


def test_mirror_urls_follow_the_lab_layout() -> None:
    urls = workstation.mirror_urls("http://127.0.0.1:8123/")
    assert urls["libtorch"] == (
        "http://127.0.0.1:8123/libtorch/libtorch/cpu/"
        "libtorch-cxx11-abi-shared-with-deps-2.13.0%2Bcpu.zip"
    )
    assert urls["wheels"] == "http://127.0.0.1:8123/wheels/simple"
    assert urls["cudnn"].endswith("/linux-x86_64/cudnn-linux-x86_64-8.9.7.29_cuda12-archive.tar.xz")


def test_unpack_commands_quote_archive_paths() -> None:
    odd = "/tmp/a b;rm -rf x.zip"
    assert "'/tmp/a b;rm -rf x.zip'" in workstation.libtorch_install(odd)
    assert "'/tmp/a b;rm -rf x.zip'" in workstation.cudnn_tarball_install(odd)


def test_written_files_match_provision() -> None:
    from provision.resources.apt_repository import _list_content
    from provision.resources.nouveau import blacklist_content

    line = "deb [trusted=yes] http://127.0.0.1:8123/apt ./"
    assert workstation.apt_source_file(line).encode() == _list_content(line)
    assert workstation.NOUVEAU_BLACKLIST.encode() == blacklist_content()
