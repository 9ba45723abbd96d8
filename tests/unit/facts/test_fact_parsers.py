"""Each format parser on fixtures written from NVIDIA's, dpkg's and conda's documented formats."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provision.facts.apt import parse_dpkg_query, parse_held, parse_open_files
from provision.facts.conda import parse_conda, parse_conda_meta_name, parse_dist_info_metadata
from provision.facts.cuda import (
    parse_alternative,
    parse_cuda_header,
    parse_version_json,
    parse_version_txt,
)
from provision.facts.cudnn import parse_cudnn, parse_cudnn_header
from provision.facts.kernel import (
    parse_initramfs,
    parse_modprobe_file,
    parse_os_release,
    parse_proc_modules,
)
from provision.facts.libtorch import parse_build_version
from provision.facts.nvidia import (
    parse_gpu_information,
    parse_module_files,
    parse_pci,
    parse_proc_version,
    upstream_version,
)
from provision.facts.sections import Section, Sections
from provision.facts.shell_profile import parse_block

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_os_release_of_ubuntu_22_04() -> None:
    release = parse_os_release(fixture("os-release-ubuntu-22.04"))
    assert (release.id, release.version_id, release.version_codename) == (
        "ubuntu",
        "22.04",
        "jammy",
    )
    assert release.id_like == ("debian",)
    assert release.pretty_name == "Ubuntu 22.04.4 LTS"


def test_os_release_of_debian_12() -> None:
    release = parse_os_release(fixture("os-release-debian-12"))
    assert (release.id, release.version_id, release.version_codename) == (
        "debian",
        "12",
        "bookworm",
    )
    assert release.id_like == ()


def test_os_release_without_a_codename_takes_ubuntus_own() -> None:
    release = parse_os_release('ID=ubuntu\nVERSION_ID="20.04"\nUBUNTU_CODENAME=focal\n')
    assert release.version_codename == "focal"


def test_an_empty_os_release_is_all_unknown() -> None:
    release = parse_os_release("")
    assert release.id is None and release.version_id is None


def test_loaded_module_version_of_the_proprietary_module() -> None:
    assert parse_proc_version(fixture("proc-driver-nvidia-version-535.txt")) == "535.154.05"


def test_loaded_module_version_of_the_open_kernel_module() -> None:
    assert parse_proc_version(fixture("proc-driver-nvidia-version-550-open.txt")) == "550.54.14"


def test_no_proc_version_means_no_loaded_driver() -> None:
    assert parse_proc_version("") is None


def test_gpu_information() -> None:
    gpu = parse_gpu_information(fixture("gpu-information-rtx3090.txt"))
    assert gpu.name == "NVIDIA GeForce RTX 3090"
    assert gpu.bus_id == "0000:01:00.0"
    assert gpu.uuid == "GPU-5a2c3b1e-8d4f-2b7a-9c1e-0f3d5e7a9b11"
    assert gpu.video_bios == "94.02.42.00.a9"
    assert gpu.minor == 0


def test_module_files_prefer_dkms_updates_as_modprobe_does() -> None:
    files = parse_module_files(
        "535.154.05\t/lib/modules/6.1.0/kernel/drivers/video/nvidia.ko\n"
        "550.54.14\t/lib/modules/6.1.0/updates/dkms/nvidia.ko.zst\n"
        "\t/lib/modules/6.1.0/extra/nvidia.ko\n"
    )
    assert files[0].version == "550.54.14"
    assert {item.version for item in files[1:]} == {"535.154.05", None}


def test_pci_devices_of_nvidia() -> None:
    devices = parse_pci("0000:01:00.0 0x030000 0x2204\n0000:01:00.1 0x040300 0x1aef\n")
    assert [(d.bus_id, d.is_gpu) for d in devices] == [
        ("0000:01:00.0", True),
        ("0000:01:00.1", False),
    ]


@pytest.mark.parametrize(
    ("version", "upstream"),
    [("535.154.05-0ubuntu0.22.04.1", "535.154.05"), ("1:550.54.14-1", "550.54.14"),
     ("525.147.05-4~deb12u1", "525.147.05"), (None, None), ("weird", None)],
)  # fmt: skip
def test_upstream_version_of_a_debian_version(version: str | None, upstream: str | None) -> None:
    assert upstream_version(version) == upstream


def test_cuda_11_8_version_json() -> None:
    assert parse_version_json(fixture("cuda-11.8-version.json")) == ("11.8.20220929", "11.8.89")


def test_cuda_12_1_version_json() -> None:
    assert parse_version_json(fixture("cuda-12.1-version.json")) == ("12.1.1", "12.1.105")


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '{"cuda": "12.1"}'])
def test_a_broken_version_json_is_unknown(text: str) -> None:
    assert parse_version_json(text) == (None, None)


def test_old_cuda_version_txt() -> None:
    assert parse_version_txt(fixture("cuda-10.2-version.txt")) == "10.2.89"


@pytest.mark.parametrize(
    ("line", "release"),
    [
        ("#define CUDA_VERSION 12010", "12.1"),
        ("#define CUDA_VERSION 11080", "11.8"),
        ("#define CUDA_VERSION 13000", "13.0"),
    ],
)
def test_cuda_h_version_macro(line: str, release: str) -> None:
    assert parse_cuda_header(line + "\n") == release


def test_cudnn_version_header() -> None:
    assert parse_cudnn_header(fixture("cudnn_version-8.9.7.h")) == "8.9.7"


def test_cudnn_7_macros_in_cudnn_h() -> None:
    text = "#define CUDNN_MAJOR 7\n#define CUDNN_MINOR 6\n#define CUDNN_PATCHLEVEL 5\n"
    assert parse_cudnn_header(text) == "7.6.5"


def test_a_header_without_macros_is_no_version() -> None:
    assert parse_cudnn_header('#include "cudnn_version.h"\n') is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("pytorch-cuda-11.8-h7e8668a_5.json", ("pytorch-cuda", "11.8", "h7e8668a_5")),
     ("pytorch-2.1.0-py3.10_cuda11.8_cudnn8.7.0_0.json",
      ("pytorch", "2.1.0", "py3.10_cuda11.8_cudnn8.7.0_0")),
     ("conda-23.9.0-py311h06a4308_0.json", ("conda", "23.9.0", "py311h06a4308_0")),
     ("python-3.10.13-h955ad1f_0.json", ("python", "3.10.13", "h955ad1f_0"))],
)  # fmt: skip
def test_conda_meta_file_names(name: str, expected: tuple[str, str, str]) -> None:
    package = parse_conda_meta_name(name)
    assert package is not None
    assert (package.name, package.version, package.build) == expected


@pytest.mark.parametrize("name", ["history", "pytorch.json", "a-b.json", "x-1-.json"])
def test_other_conda_meta_files_are_not_packages(name: str) -> None:
    assert parse_conda_meta_name(name) is None


def test_dist_info_metadata_reads_the_header_only() -> None:
    assert parse_dist_info_metadata(fixture("torch-2.1.0+cu118-METADATA")) == (
        "torch",
        "2.1.0+cu118",
    )


def test_dpkg_query_status_abbreviations() -> None:
    packages = {p.name: p for p in parse_dpkg_query(fixture("dpkg-query.txt"))}
    assert "nvidia-driver-515" not in packages  # dpkg only remembers it
    assert packages["nvidia-driver-535"].want == "hold"
    assert packages["nvidia-driver-535"].installed
    assert packages["nvidia-driver-470"].state == "config-files"
    assert not packages["nvidia-driver-470"].installed
    assert packages["cuda-toolkit-12-1"].state == "unpacked"
    assert packages["libnvidia-compute-535:amd64"].version == "535.154.05-0ubuntu0.22.04.1"


def test_held_packages_from_dpkg_status() -> None:
    assert parse_held("Package: nvidia-driver-535\nPackage: cuda-drivers\n") == (
        "cuda-drivers",
        "nvidia-driver-535",
    )


def test_open_files_from_the_proc_scan() -> None:
    found = parse_open_files(
        "812 /dev/nvidia0 python3\n812 /dev/nvidiactl python3\n99 /var/lib/dpkg/lock apt get\n"
    )
    assert [(f.pid, f.path, f.command) for f in found] == [
        (99, "/var/lib/dpkg/lock", "apt get"),
        (812, "/dev/nvidia0", "python3"),
        (812, "/dev/nvidiactl", "python3"),
    ]


def test_proc_modules_unreadable_is_unknown() -> None:
    assert parse_proc_modules("") is None
    assert parse_proc_modules("readable\nnouveau 2306048 0 - Live 0x0\n") == ("nouveau",)


def test_loaded_modules_from_sysfs_on_a_kernel_without_proc_modules() -> None:
    text = "sysfs\nnvidia live\nnvidia_uvm live\nnvidia_drm coming\n"
    assert parse_proc_modules(text) == ("nvidia", "nvidia_uvm")
    assert parse_proc_modules("sysfs\n") == ()


def test_modprobe_file_blacklisting_nouveau() -> None:
    item = parse_modprobe_file(
        "1700000000 /etc/modprobe.d/blacklist-nouveau.conf",
        "blacklist nouveau\noptions nouveau modeset=0\n",
    )
    assert item.blacklists and item.disables_modeset
    assert item.path == "/etc/modprobe.d/blacklist-nouveau.conf"


def test_a_commented_blacklist_does_not_count() -> None:
    item = parse_modprobe_file("1 /etc/modprobe.d/x.conf", "# blacklist nouveau\n")
    assert not item.blacklists


def test_initramfs_of_the_running_kernel_wins() -> None:
    text = "200 /boot/initrd.img-6.1.0-18-amd64\n100 /boot/initrd.img-6.1.0-17-amd64\n"
    image = parse_initramfs(text, "6.1.0-17-amd64")
    assert image is not None and image.mtime == 100
    newest = parse_initramfs(text, "other")
    assert newest is not None and newest.kernel == "6.1.0-18-amd64"


def test_libtorch_build_version() -> None:
    assert parse_build_version("2.1.0+cu118\n") == ("2.1.0", "cu118")
    assert parse_build_version("2.13.0\n") == ("2.13.0", None)
    assert parse_build_version("") == (None, None)


def test_managed_block_and_unmanaged_exports() -> None:
    text = (
        "export PATH=/usr/local/cuda-11.7/bin:$PATH\n"
        "# BEGIN provision: cuda\n"
        "export CUDA_HOME=/usr/local/cuda-12.1\n"
        "export PATH=$CUDA_HOME/bin:$PATH\n"
        "# END provision: cuda\n"
        "# export CUDA_HOME=/usr/local/cuda-10.0\n"
    )
    block, unmanaged = parse_block(text)
    assert block is not None
    assert (
        block.content == "export CUDA_HOME=/usr/local/cuda-12.1\nexport PATH=$CUDA_HOME/bin:$PATH\n"
    )
    assert (block.cuda_home, block.cuda_release, block.terminated, block.count) == (
        "/usr/local/cuda-12.1", "12.1", True, 1,
    )  # fmt: skip
    assert [(line.number, line.text) for line in unmanaged] == [
        (1, "export PATH=/usr/local/cuda-11.7/bin:$PATH")
    ]


def test_block_hash_covers_exact_bytes() -> None:
    lf, _ = parse_block(
        "# BEGIN provision: cuda\nexport CUDA_HOME=/usr/local/cuda-12.1\n# END provision: cuda\n"
    )
    crlf, _ = parse_block(
        "# BEGIN provision: cuda\r\n"
        "export CUDA_HOME=/usr/local/cuda-12.1\r\n"
        "# END provision: cuda\r\n"
    )
    assert lf is not None and crlf is not None
    assert lf.sha256 != crlf.sha256
    assert crlf.cuda_home == "/usr/local/cuda-12.1"


def test_an_unterminated_or_repeated_block_is_reported() -> None:
    block, _ = parse_block("# BEGIN provision: cuda\nexport PATH=/usr/local/cuda-11.8/bin:$PATH\n")
    assert block is not None and not block.terminated and block.cuda_home == "/usr/local/cuda-11.8"
    twice = "# BEGIN provision: cuda\n# END provision: cuda\n" * 2
    repeated, _ = parse_block(twice)
    assert repeated is not None and repeated.count == 2


def test_a_line_that_only_resembles_a_marker_is_not_one() -> None:
    block, _ = parse_block("  # BEGIN provision: cuda\n# BEGIN provision: cudaX\n")
    assert block is None


def test_conda_python_from_lib_folders_compares_versions_as_numbers() -> None:
    sections = Sections(
        items=(
            Section("conda-prefix", "/opt/conda", "exists\nconda\n"),
            Section("conda-env", "base /opt/conda", "lib python3.9\nlib python3.11\n"),
        )
    )
    facts = parse_conda(sections)
    assert facts is not None
    assert facts.envs[0].python == "3.11"


def test_cudnn_9_packages_carry_the_cuda_major_in_their_name() -> None:
    listing = (
        "ii \tlibcudnn9-cuda-12\t9.5.1.17-1\n"
        "ii \tlibcudnn9-dev-cuda-12\t9.5.1.17-1\n"
        "ii \tlibcudnn8\t8.9.7.29-1+cuda12.2\n"
        "ii \tlibcudnn9-samples\t9.5.1.17-1\n"
    )
    facts = parse_cudnn(Sections(items=(Section("packages", "", listing),)))
    assert {package.name: package.cuda for package in facts.packages} == {
        "libcudnn9-cuda-12": "12",
        "libcudnn9-dev-cuda-12": "12",
        "libcudnn8": "12.2",
        "libcudnn9-samples": None,
    }


def test_alternatives_admin_file_as_update_alternatives_writes_it(tmp_path: Path) -> None:
    admin, alternatives = tmp_path / "admin", tmp_path / "alternatives"
    admin.mkdir()
    alternatives.mkdir()
    for release, priority in (("11.8", "118"), ("12.1", "121")):
        (tmp_path / f"cuda-{release}").mkdir()
        subprocess.run(
            ["update-alternatives", "--admindir", str(admin), "--altdir", str(alternatives),
             "--install", str(tmp_path / "cuda"), "cuda", str(tmp_path / f"cuda-{release}"),
             priority, "--slave", str(tmp_path / "cuda-doc"), "cuda-doc",
             str(tmp_path / f"cuda-{release}" / "doc")],
            check=True, capture_output=True,
        )  # fmt: skip
    auto = parse_alternative("cuda", (admin / "cuda").read_text())
    assert auto is not None and not auto.manual
    assert auto.link == str(tmp_path / "cuda")
    assert auto.choices == (str(tmp_path / "cuda-11.8"), str(tmp_path / "cuda-12.1"))
    subprocess.run(
        ["update-alternatives", "--admindir", str(admin), "--altdir", str(alternatives),
         "--set", "cuda", str(tmp_path / "cuda-11.8")],
        check=True, capture_output=True,
    )  # fmt: skip
    manual = parse_alternative("cuda", (admin / "cuda").read_text())
    assert manual is not None and manual.manual and len(manual.choices) == 2


def test_a_file_not_in_the_admin_format_is_no_group() -> None:
    assert parse_alternative("cuda", "") is None
    assert parse_alternative("cuda", "sideways\n/usr/local/cuda\n\n") is None
    assert parse_alternative("cuda", "auto\n/usr/local/cuda\nno blank line") is None
