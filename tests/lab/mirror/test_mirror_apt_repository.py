"""The mirror's apt repository: NVIDIA's debian12 package names, versions and graph.

apt itself resolves the graph here, against a private apt state (no root, nothing installed):
installing `cuda-11-8` pulls a driver through `cuda-drivers`, purging `nvidia*` with
autoremove takes the toolkit with it, and provision's pin keeps the whole driver set at one
of the branch's point releases, as on a real host.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from provision.packaging.distributions import find_distribution
from provision.packaging.driver_names import driver_packages
from provision.resources.driver import pin_content
from provision_lab.mirror import MirrorBuild


def parse_packages(text: str) -> dict[tuple[str, str], dict[str, str]]:
    stanzas: dict[tuple[str, str], dict[str, str]] = {}
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if not line[0].isspace())
        fields["_raw"] = block
        stanzas[(fields["Package"], fields["Version"])] = fields
    return stanzas


@pytest.fixture(scope="module")
def index(mirror_root: Path) -> dict[tuple[str, str], dict[str, str]]:
    return parse_packages((mirror_root / "apt" / "Packages").read_text())


EXPECTED = [
    ("nvidia-driver", "515.105.01-1"),
    ("nvidia-driver", "535.154.05-1"),
    ("nvidia-driver", "535.161.07-1"),
    ("nvidia-driver", "550.54.15-1"),
    ("nvidia-kernel-dkms", "535.154.05-1"),
    ("nvidia-kernel-open-dkms", "535.161.07-1"),
    ("nvidia-smi", "535.154.05-1"),
    ("libcuda1", "535.154.05-1"),
    ("libnvidia-ml1", "535.161.07-1"),
    ("firmware-nvidia-gsp", "550.54.15-1"),
    ("nvidia-modprobe", "550.54.14-1"),
    ("nvidia-persistenced", "535.171.04-1"),
    ("cuda-drivers", "515.105.01-1"),
    ("cuda-drivers", "535.154.05-1"),
    ("cuda-drivers", "550.54.15-1"),
    ("cuda-drivers-535", "535.154.05-1"),
    ("cuda-drivers-550", "550.54.15-1"),
    ("cuda-toolkit-11-7", "11.7.1-1"),
    ("cuda-toolkit-11-8", "11.8.0-1"),
    ("cuda-toolkit-12-1", "12.1.1-1"),
    ("cuda-11-8", "11.8.0-1"),
    ("cuda-12-1", "12.1.1-1"),
    ("cuda", "12.1.1-1"),
    ("cuda-nvcc-11-8", "11.8.89-1"),
    ("libcudnn8", "8.9.7.29-1+cuda11.8"),
    ("libcudnn8", "8.9.7.29-1+cuda12.2"),
    ("libcudnn8-dev", "8.9.7.29-1+cuda11.8"),
    ("libcudnn8-dev", "8.9.7.29-1+cuda12.2"),
]


@pytest.mark.parametrize(("name", "version"), EXPECTED)
def test_packages_index_lists_nvidia_names_and_versions(
    index: dict[tuple[str, str], dict[str, str]], name: str, version: str
) -> None:
    assert (name, version) in index
    assert "LAB STAND-IN" in index[(name, version)]["_raw"]
    assert index[(name, version)]["Filename"] == f"./{name}_{version}_amd64.deb"


@pytest.mark.parametrize(
    ("name", "version", "dependency"),
    [
        ("cuda-11-8", "11.8.0-1", "cuda-runtime-11-8 (>= 11.8.0)"),
        ("cuda-11-8", "11.8.0-1", "cuda-toolkit-11-8 (>= 11.8.0)"),
        ("cuda-runtime-11-8", "11.8.0-1", "cuda-drivers (>= 520.61.05)"),
        ("cuda-drivers", "535.154.05-1", "cuda-drivers-535 (= 535.154.05-1)"),
        ("cuda-drivers-535", "535.154.05-1", "nvidia-driver (>= 535.154.05)"),
        ("nvidia-driver", "535.154.05-1", "nvidia-driver-libs (= 535.154.05-1)"),
        (
            "nvidia-driver",
            "535.154.05-1",
            "nvidia-kernel-dkms (= 535.154.05-1) | nvidia-kernel-535.154.05 "
            "| nvidia-open-kernel-535.154.05",
        ),
        ("nvidia-kernel-dkms", "535.161.07-1", "firmware-nvidia-gsp (= 535.161.07-1)"),
        ("nvidia-kernel-support", "535.161.07-1", "nvidia-modprobe (>= 535)"),
        ("nvidia-smi", "550.54.15-1", "libnvidia-ml1 (= 550.54.15-1)"),
        ("libcudnn8-dev", "8.9.7.29-1+cuda11.8", "libcudnn8 (= 8.9.7.29-1+cuda11.8)"),
    ],
)
def test_dependency_graph_follows_nvidia(
    index: dict[tuple[str, str], dict[str, str]], name: str, version: str, dependency: str
) -> None:
    depends = [part.strip() for part in index[(name, version)]["Depends"].split(",")]
    assert dependency in depends


def test_stand_ins_depend_only_on_each_other(
    index: dict[tuple[str, str], dict[str, str]],
) -> None:
    names = {name for name, _ in index}
    virtual = {
        name.strip().split()[0]
        for fields in index.values()
        for name in fields.get("Provides", "").split(",")
        if name.strip()
    }
    for fields in index.values():
        for dependency in fields.get("Depends", "").replace("|", ",").split(","):
            if dependency.strip():
                assert dependency.split()[0] in names | virtual, fields["Package"]


def test_release_file_hashes_the_indexes(mirror_root: Path) -> None:
    import hashlib

    release = (mirror_root / "apt" / "Release").read_text()
    packages = (mirror_root / "apt" / "Packages").read_bytes()
    assert f" {hashlib.sha256(packages).hexdigest()} " in release


def test_apt_source_line_is_the_documented_flat_entry(mirror: MirrorBuild) -> None:
    line = mirror.apt_source_line("http://127.0.0.1:8123/")
    assert line == "deb [trusted=yes] http://127.0.0.1:8123/apt ./"


def _options(tmp_path: Path) -> list[str]:
    return [
        f"-oDir::Etc={tmp_path / 'etc'}",
        f"-oDir::State={tmp_path / 'state'}",
        f"-oDir::State::status={tmp_path / 'status'}",
        f"-oDir::Cache={tmp_path / 'cache'}",
        "-oDebug::NoLocking=1",
        "-oAPT::Sandbox::User=root",
    ]


@pytest.fixture
def apt(tmp_path: Path, mirror_root: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """apt-get against the mirror with a private state folder and a given dpkg status."""
    for folder in (
        "state/lists/partial",
        "cache/archives/partial",
        "etc/sources.list.d",
        "etc/preferences.d",
        "etc/apt.conf.d",
    ):
        (tmp_path / folder).mkdir(parents=True)
    source = f"deb [trusted=yes] file:{mirror_root / 'apt'} ./\n"
    (tmp_path / "etc/sources.list").write_text(source)
    (tmp_path / "status").write_text("")
    options = _options(tmp_path)

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["apt-get", *options, *arguments], capture_output=True, text=True, check=False
        )

    updated = run("update")
    assert updated.returncode == 0, updated.stderr
    return run


def simulated(result: subprocess.CompletedProcess[str], action: str) -> dict[str, str]:
    assert result.returncode == 0, result.stdout + result.stderr
    found = {}
    for line in result.stdout.splitlines():
        if line.startswith(f"{action} "):
            parts = line.split()
            found[parts[1]] = parts[2].strip("([")
    return found


def test_installing_a_toolkit_pulls_a_driver_through_cuda_drivers(
    apt: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    planned = simulated(apt("-s", "install", "cuda-11-8"), "Inst")
    assert planned["cuda-toolkit-11-8"] == "11.8.0-1"
    assert planned["nvidia-driver"].startswith("5")


def test_the_driver_alone_resolves_to_the_newest_release(
    apt: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    planned = simulated(apt("-s", "install", "nvidia-driver"), "Inst")
    assert planned["nvidia-driver"] == planned["nvidia-kernel-dkms"] == "580.95.05-1"
    assert planned["nvidia-modprobe"] == "580.95.05-1"


def test_the_driver_at_an_older_point_release_alone_does_not_resolve(
    apt: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    result = apt("-s", "install", "nvidia-driver=535.154.05-1")
    assert result.returncode != 0
    assert "but 580.95.05-1 is to be installed" in result.stdout + result.stderr


def test_provisions_pin_keeps_every_part_at_the_older_point_release(
    apt: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    distribution = find_distribution("debian", "12")
    assert distribution is not None
    names = driver_packages(distribution, "nvidia", "535.154.05", open_modules=False)
    (tmp_path / "etc/preferences.d/provision-nvidia-driver").write_bytes(
        pin_content(names, "535.154.05")
    )
    planned = simulated(apt("-s", "install", "nvidia-driver", "nvidia-smi"), "Inst")
    driver_set = {name: version for name, version in planned.items() if name in names.driver_set}
    assert set(driver_set.values()) == {"535.154.05-1"}
    assert {"nvidia-driver", "nvidia-kernel-dkms", "libcuda1", "firmware-nvidia-gsp"} <= set(
        driver_set
    )
    assert planned["nvidia-modprobe"] == "580.95.05-1"


def test_the_open_modules_replace_the_proprietary_ones(
    apt: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    result = apt("-s", "install", "nvidia-kernel-dkms", "nvidia-kernel-open-dkms")
    assert result.returncode != 0


def _installed_status(
    index: dict[tuple[str, str], dict[str, str]], chosen: list[tuple[str, str]]
) -> str:
    keep = (
        "Package",
        "Version",
        "Architecture",
        "Maintainer",
        "Depends",
        "Provides",
        "Conflicts",
        "Replaces",
        "Description",
    )
    stanzas = []
    for key in chosen:
        fields = index[key]
        lines = [f"{name}: {fields[name]}" for name in keep if name in fields]
        lines.insert(1, "Status: install ok installed")
        stanzas.append("\n".join(lines))
    return "\n\n".join(stanzas) + "\n"


def test_careless_nvidia_purge_takes_the_toolkit_with_it(
    apt: Callable[..., subprocess.CompletedProcess[str]],
    index: dict[tuple[str, str], dict[str, str]],
    tmp_path: Path,
) -> None:
    planned = simulated(apt("-s", "install", "cuda-11-8"), "Inst")
    (tmp_path / "status").write_text(_installed_status(index, list(planned.items())))
    extended = "\n\n".join(
        f"Package: {name}\nArchitecture: amd64\nAuto-Installed: 1"
        for name in planned
        if name != "cuda-11-8"
    )
    (tmp_path / "state/extended_states").write_text(extended + "\n")
    removed = simulated(apt("-s", "--purge", "--auto-remove", "remove", "nvidia*"), "Purg")
    assert {
        "nvidia-driver",
        "cuda-drivers",
        "cuda-11-8",
        "cuda-toolkit-11-8",
        "cuda-nvcc-11-8",
    } <= set(removed)


def test_toolkit_version_json_is_nvidia_format(unpack_debs: Callable[..., Path]) -> None:
    root = unpack_debs(("cuda-toolkit-11-8", "11.8.0"))
    text = (root / "usr/local/cuda-11.8/version.json").read_text()
    assert '   "cuda" : {\n      "name" : "CUDA SDK",\n      "version" : "11.8.0"\n   },' in text
    assert json.loads(text)["cuda_nvcc"]["version"] == "11.8.89"


def test_nvcc_prints_the_real_version_format(unpack_debs: Callable[..., Path]) -> None:
    root = unpack_debs(("cuda-nvcc-11-8", "11.8"))
    result = subprocess.run(
        [root / "usr/local/cuda-11.8/bin/nvcc", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "nvcc: NVIDIA (R) Cuda compiler driver",
        "Copyright (c) 2005-2022 NVIDIA Corporation",
        "Built on Wed_Sep_21_10:33:58_PDT_2022",
        "Cuda compilation tools, release 11.8, V11.8.89",
        "Build cuda_11.8.r11.8/compiler.31833905_0",
    ]
    assert (
        subprocess.run(
            [root / "usr/local/cuda-11.8/bin/nvcc"], check=False, capture_output=True
        ).returncode
        == 1
    )


def test_cudart_lays_down_lib64_as_upstream(unpack_debs: Callable[..., Path]) -> None:
    root = unpack_debs(("cuda-cudart-12-1", "12.1"))
    lib64 = root / "usr/local/cuda-12.1/lib64"
    assert lib64.is_symlink() and (lib64 / "libcudart.so.12.1.105").is_file()
    assert (lib64 / "libcudart.so.12").resolve().name == "libcudart.so.12.1.105"


def test_cudnn_dev_header_carries_version_macros(unpack_debs: Callable[..., Path]) -> None:
    root = unpack_debs(("libcudnn8-dev", "cuda12.2"), ("libcudnn8", "cuda12.2"))
    header = (root / "usr/include/x86_64-linux-gnu/cudnn_version_v8.h").read_text()
    for macro in ("#define CUDNN_MAJOR 8", "#define CUDNN_MINOR 9", "#define CUDNN_PATCHLEVEL 7"):
        assert macro in header
    assert (root / "usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.7").is_file()


def test_kernel_module_is_modinfo_readable(unpack_debs: Callable[..., Path]) -> None:
    root = unpack_debs(("nvidia-kernel-dkms", "550"))
    module = root / "usr/src/nvidia-550.54.15/nvidia.ko"
    result = subprocess.run(
        ["modinfo", "-F", "version", str(module)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "550.54.15"
    assert module.read_bytes()[:4] == b"\x7fELF"


def test_release_carries_nvidias_fields_in_nvidias_order(mirror_root: Path) -> None:
    release = (mirror_root / "apt" / "Release").read_text().splitlines()
    fields = [line.split(":")[0] for line in release if line and not line.startswith(" ")]
    assert fields[:4] == ["Origin", "Label", "Architecture", "Date"]
    assert release[:3] == ["Origin: NVIDIA", "Label: NVIDIA CUDA", "Architecture: x86_64"]
    assert fields[-4:] == ["MD5Sum", "SHA1", "SHA256", "Acquire-By-Hash"]
    assert not {"Suite", "Codename", "Components"} & set(fields)


def test_a_pin_on_nvidias_label_applies_to_the_mirror(
    apt: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    (tmp_path / "etc/preferences.d/cuda-repository-pin-600").write_text(
        "Package: *\nPin: release l=NVIDIA CUDA\nPin-Priority: 600\n"
    )
    assert apt("-s", "install", "nvidia-smi").returncode == 0
    shown = subprocess.run(
        ["apt-cache", *_options(tmp_path), "policy", "nvidia-smi"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    priorities = [line.split()[0] for line in shown.stdout.splitlines() if "file:" in line]
    assert priorities and set(priorities) == {"600"}
