"""The shared command builders: the download cache, the initramfs handler."""

from __future__ import annotations

import shlex

from provision.facts.provision_state import DOWNLOADS_DIR
from provision.tasks.commands import cached_path, download
from provision.tasks.handlers import HANDLERS, REBUILD_INITRAMFS


def test_two_sources_of_the_same_file_name_do_not_share_a_cached_file() -> None:
    mirror = cached_path("http://127.0.0.1:8080/conda/Miniforge3-Linux-x86_64.sh")
    upstream = cached_path("https://example.org/releases/Miniforge3-Linux-x86_64.sh")
    assert mirror != upstream
    for path in (mirror, upstream):
        assert path.startswith(DOWNLOADS_DIR + "/")
        assert path.endswith("-Miniforge3-Linux-x86_64.sh")


def test_the_cached_file_of_a_url_is_stable_and_spells_plus_as_pytorch_does() -> None:
    url = "https://download.pytorch.org/libtorch/cpu/libtorch-shared-with-deps-2.5.1%2Bcpu.zip"
    assert cached_path(url) == cached_path(url)
    assert cached_path(url).endswith("-libtorch-shared-with-deps-2.5.1+cpu.zip")


def test_the_download_writes_and_checks_the_keyed_file() -> None:
    url = "http://127.0.0.1:8080/driver/NVIDIA-Linux-x86_64-535.154.05.run"
    fetch, check = download(url, "ab" * 32)
    assert shlex.quote(cached_path(url)) in fetch.command
    assert cached_path(url) + ".part" in fetch.command
    assert cached_path(url) in check.command


def test_the_initramfs_is_rebuilt_for_every_kernel_including_the_running_one() -> None:
    (command,) = HANDLERS[REBUILD_INITRAMFS].commands
    assert shlex.split(command.command) == ["update-initramfs", "-u", "-k", "all"]
