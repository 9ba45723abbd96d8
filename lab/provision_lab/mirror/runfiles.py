"""Stand-in `.run` installers: a shell script with a base64 tar.gz payload below a marker.

The driver installer carries the driver tree (`root/...`, `kernel/nvidia.ko`); the CUDA
installer carries the toolkit tree (`toolkit/...`) and its bundled driver installer under
`builds/`, as NVIDIA's CUDA runfile does.
"""

from __future__ import annotations

import base64

from provision_lab.mirror import stand_in_files as files
from provision_lab.mirror.archives import tar_tree
from provision_lab.mirror.catalog import Driver, Toolkit
from provision_lab.mirror.file_tree import FileTree, TreeFile, render_asset

MARKER = "__LAB_PAYLOAD_BELOW__"


def _with_payload(script: str, payload: FileTree) -> bytes:
    encoded = base64.encodebytes(tar_tree(payload, "gz"))
    return script.encode() + f"{MARKER}\n".encode() + encoded


def _prefixed(prefix: str, tree: FileTree) -> FileTree:
    return FileTree(
        {f"{prefix}/{path}": item for path, item in tree.files.items()},
        {f"{prefix}/{path}": target for path, target in tree.symlinks.items()},
    )


def driver_runfile(driver: Driver, module: bytes) -> bytes:
    """`NVIDIA-Linux-x86_64-<version>.run` for `driver`."""
    script = render_asset(
        "driver-runfile.sh", {"DRIVER_VERSION": driver.version, "DRIVER_BRANCH": driver.branch}
    )
    userspace = (
        files.driver_utils_tree(driver)
        .merged(files.driver_library_tree(driver, "libcuda"))
        .merged(files.driver_library_tree(driver, "libnvidia-ml"))
    )
    payload = _prefixed("root", userspace)
    payload.files["kernel/nvidia.ko"] = TreeFile(module)
    return _with_payload(script, payload)


def cuda_runfile(toolkit: Toolkit, bundled_driver: Driver, driver_installer: bytes) -> bytes:
    """`cuda_<version>_<driver>_linux.run` for `toolkit`, bundling `driver_installer`."""
    script = render_asset(
        "cuda-runfile.sh",
        {
            "RUNFILE_NAME": toolkit.runfile_name,
            "CUDA_SHORT": toolkit.short,
            "CUDA_DASHED": toolkit.dashed,
            "DRIVER_VERSION": bundled_driver.version,
        },
    )
    root = files.toolkit_root(toolkit) + "/"
    installed = files.toolkit_runfile_tree(toolkit)
    toolkit_tree = FileTree(
        {path.removeprefix(root): item for path, item in installed.files.items()},
        {path.removeprefix(root): target for path, target in installed.symlinks.items()},
    )
    payload = _prefixed("toolkit", toolkit_tree)
    name = f"builds/NVIDIA-Linux-x86_64-{bundled_driver.version}.run"
    payload.files[name] = TreeFile(driver_installer, 0o755)
    return _with_payload(script, payload)
