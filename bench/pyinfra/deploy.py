"""pyinfra deploy: the GPU workstation of playbooks/workstation.yaml on a sandbox lab host.

Run by pyinfra (`pyinfra -y INVENTORY bench/pyinfra/deploy.py`, with the repository root on
PYTHONPATH), never imported by the harness. Host data `lab_mirror_url` and
`lab_mirror_apt_source` come from the rendered inventory. pyinfra's `server.shell` always
counts as a change, so every command is guarded by a fact read before it is queued: a
second run queues no command and changes nothing. The host is not rebooted here: the
benchmark harness reboots it (untimed) after the first run.
"""

from io import StringIO

from pyinfra import host
from pyinfra.facts.deb import DebPackages
from pyinfra.facts.files import File
from pyinfra.facts.server import Command
from pyinfra.operations import apt, files, pip, server

from bench.pyinfra import workstation as ws

APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}
urls = ws.mirror_urls(host.data.lab_mirror_url)
installed = host.get_fact(DebPackages)

conflicting = ws.conflicting_driver_packages(installed)
if conflicting:
    toolkits = ws.installed_toolkit_packages(installed)
    if toolkits:
        server.shell(
            name="Keep installed CUDA toolkits through the driver purge",
            commands=[f"apt-mark manual {' '.join(toolkits)}"],
        )
    apt.packages(
        name="Purge conflicting NVIDIA driver packages",
        packages=conflicting,
        present=False,
        extra_uninstall_args="--purge --allow-change-held-packages",
        _env=APT_ENV,
    )
    server.shell(
        name="Remove what the purged driver pulled in",
        commands=["apt-get -y --purge autoremove"],
        _env=APT_ENV,
    )

blacklist = files.put(
    name="Blacklist nouveau",
    src=StringIO(ws.NOUVEAU_BLACKLIST),
    dest=ws.NOUVEAU_BLACKLIST_PATH,
    user="root",
    group="root",
    mode="644",
)
server.shell(
    name="Rebuild the initramfs with the blacklist",
    commands=["update-initramfs -u -k all"],
    _if=blacklist.did_change,
)

repository = files.put(
    name="CUDA apt repository (lab mirror)",
    src=StringIO(ws.apt_source_file(host.data.lab_mirror_apt_source)),
    dest=ws.APT_SOURCE_PATH,
    user="root",
    group="root",
    mode="644",
)
apt.update(name="Update apt lists", _if=repository.did_change, _env=APT_ENV)

apt.packages(
    name="NVIDIA driver",
    packages=[f"nvidia-driver-{ws.DRIVER_BRANCH}={ws.DRIVER_VERSION}"],
    extra_install_args="--allow-change-held-packages",
    _env=APT_ENV,
)
apt.packages(
    name="CUDA toolkits",
    packages=[
        f"cuda-toolkit-{release.replace('.', '-')}={version}"
        for release, version in ws.TOOLKITS.items()
    ],
    _env=APT_ENV,
)
apt.packages(
    name="cuDNN for CUDA 11 (apt)",
    packages=[f"{name}={ws.CUDNN_APT_VERSION}" for name in ws.CUDNN_APT_PACKAGES],
    extra_install_args="--allow-change-held-packages",
    _env=APT_ENV,
)
unheld = ws.missing_holds(
    host.get_fact(Command, "apt-mark showhold"), [*ws.DRIVER_PACKAGES, *ws.CUDNN_APT_PACKAGES]
)
if unheld:
    server.shell(name="Hold the driver and cuDNN", commands=[f"apt-mark hold {' '.join(unheld)}"])

cudnn_wanted = ".".join(ws.CUDNN_TARBALL_VERSION.split(".")[:3])
needs_cudnn = host.get_fact(Command, ws.cudnn_header_version_command()) != cudnn_wanted
needs_conda = not host.get_fact(File, path=f"{ws.CONDA_PREFIX}/bin/conda")
libtorch_version = host.get_fact(
    Command, f"cat {ws.LIBTORCH_PATH}/build-version 2>/dev/null || true"
)
needs_libtorch = libtorch_version != ws.LIBTORCH_VERSION
if needs_cudnn or needs_conda or needs_libtorch:
    files.directory(name="Download folder", path=ws.DOWNLOADS)

if needs_cudnn:
    cudnn_archive = f"{ws.DOWNLOADS}/{urls['cudnn'].rsplit('/', 1)[1]}"
    files.download(name="Download cuDNN for CUDA 12", src=urls["cudnn"], dest=cudnn_archive)
    server.shell(
        name="cuDNN into CUDA 12.1 (tarball)", commands=[ws.cudnn_tarball_install(cudnn_archive)]
    )

files.link(name="Active CUDA", path="/usr/local/cuda", target=f"/usr/local/cuda-{ws.ACTIVE_CUDA}")

for home in ws.SHELL_USERS.values():
    files.block(
        name=f"CUDA block in {home}/.bashrc",
        path=f"{home}/.bashrc",
        content=ws.cuda_profile_block(),
        marker=ws.BLOCK_MARKER,
        line=ws.INTERACTIVE_GUARD,
        before=True,
    )

if needs_conda:
    installer = f"{ws.DOWNLOADS}/Miniconda3-latest-Linux-x86_64.sh"
    files.download(name="Download the conda installer", src=urls["conda"], dest=installer)
    server.shell(name="Install conda", commands=[f"bash {installer} -b -p {ws.CONDA_PREFIX}"])

if not host.get_fact(File, path=f"{ws.CONDA_ENV}/conda-meta/history"):
    server.shell(
        name="Conda env torch",
        commands=[
            f"{ws.CONDA_PREFIX}/bin/conda create -y -p {ws.CONDA_ENV} python={ws.PYTHON_VERSION}"
        ],
    )

# pip.packages alone would reinstall torch on every run: pyinfra's pip freeze parser drops
# versions with a local label (`2.13.0+cpu`), so the dist-info folder decides.
torch_dist_info = (
    f"{ws.CONDA_ENV}/lib/python{ws.PYTHON_VERSION}/site-packages/torch-{ws.TORCH_VERSION}.dist-info"
)
if not host.get_fact(File, path=f"{torch_dist_info}/METADATA"):
    pip.packages(
        name="PyTorch in env torch",
        packages=[f"torch=={ws.TORCH_VERSION}"],
        pip=f"{ws.CONDA_ENV}/bin/python -m pip",
        extra_install_args=f"--no-input --disable-pip-version-check --index-url {urls['wheels']}",
    )

if needs_libtorch:
    libtorch_archive = (
        f"{ws.DOWNLOADS}/libtorch-cxx11-abi-shared-with-deps-{ws.LIBTORCH_VERSION}.zip"
    )
    files.download(name="Download libtorch", src=urls["libtorch"], dest=libtorch_archive)
    server.shell(name="Unpack libtorch", commands=[ws.libtorch_install(libtorch_archive)])
