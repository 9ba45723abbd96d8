"""Other accounts on a workstation attack provision's root, and root never becomes theirs.

Each scenario starts a host from the converged snapshot (or a fresh one), lets `ops` (an
unprivileged account whose `~/.bashrc` the playbook manages) or the network between host
and mirror prepare an attack, runs provision as root, and then checks what matters: no
byte of a root-only file reached a file `ops` can read, root ran nothing `ops` wrote, and
where provision refused to go on, the host failed with the file or folder named.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from provision.runner.actions import command_line
from provision.tasks.nvidia_keyring import KEYRING_PATH, install_keyring
from provision_lab.pytest_plugin import LabHost, RunningLab, SshRunner
from tests.scenarios.conftest import PLAYBOOK, Provision, write_inventory
from tests.scenarios.hostile_mirror import (
    POSTINST_MARKER,
    LoginMirror,
    keyring_package,
    upload_command,
)

pytestmark = pytest.mark.lab

CONDA_INSTALLER = "conda/miniconda/Miniconda3-latest-Linux-x86_64.sh"
OTHER_ACTIVE_CUDA = ("-e", "active_cuda=12.1")


def shadow_line(ssh: SshRunner, host: LabHost) -> str:
    """root's line of /etc/shadow: the secret no other account may ever read."""
    line = ssh(host, "grep '^root:' /etc/shadow").stdout.strip()
    assert line.startswith("root:")
    return line


def files_ops_can_read_holding(ssh: SshRunner, host: LabHost, text: str) -> list[str]:
    """Every regular file `ops` could read (its home, /tmp, /var/tmp) that holds `text`."""
    found = ssh(
        host,
        f"grep -rlF -- {json.dumps(text)} /home/ops /tmp /var/tmp 2>/dev/null || true",
    ).stdout.split()
    return [path for path in found if ssh(host, f"su ops -c 'test -r {path}'", check=False)
            .returncode == 0]  # fmt: skip


def verify_messages(provision: Provision, inventory: Path, folder: Path) -> dict[str, str]:
    """`provision verify`'s message of each check that did not pass, by check name."""
    report = folder / "verify.json"
    provision("verify", str(PLAYBOOK), "-i", str(inventory), "--report", str(report))
    cases = next(iter(json.loads(report.read_text())["hosts"].values()))
    return {case["check"]: case["message"] for case in cases if case["outcome"] != "passed"}


def fingerprint(ssh: SshRunner, host: LabHost, path: str) -> str:
    return ssh(host, f"stat -c '%U:%G %a' {path} && sha256sum < {path}").stdout


def test_a_profile_linked_to_the_shadow_file_stops_the_host_and_leaks_nothing(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    secret, shadow = shadow_line(ssh, host), fingerprint(ssh, host, "/etc/shadow")
    # Given ops replaces the managed ~/.bashrc with a link to the shadow file,
    ssh(host, "mv ~/.bashrc ~/.bashrc.mine && ln -s /etc/shadow ~/.bashrc", user="ops")
    # when the next run would change the block,
    result = provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes", *OTHER_ACTIVE_CUDA)
    # the host fails, naming the file, before anything changes,
    assert result.code == 1, result.out + result.err
    assert "/home/ops/.bashrc is a symbolic link" in result.out + result.err
    assert ssh(host, "readlink -e /usr/local/cuda").stdout.strip() == "/usr/local/cuda-11.8"
    # and the link, the shadow file and every file ops can read are as they were.
    assert ssh(host, "readlink /home/ops/.bashrc").stdout.strip() == "/etc/shadow"
    assert fingerprint(ssh, host, "/etc/shadow") == shadow
    assert files_ops_can_read_holding(ssh, host, secret) == []


def test_a_hard_linked_profile_stops_the_host_naming_it(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    ssh(host, "ln ~/.bashrc ~/.bashrc-twin", user="ops")
    twin = fingerprint(ssh, host, "/home/ops/.bashrc-twin")
    result = provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes", *OTHER_ACTIVE_CUDA)
    assert result.code == 1, result.out + result.err
    assert "/home/ops/.bashrc has more than one hard link" in result.out + result.err
    assert fingerprint(ssh, host, "/home/ops/.bashrc-twin") == twin


def test_a_profile_swapped_for_a_link_while_apply_runs_never_leaks_root_files(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    secret, shadow = shadow_line(ssh, host), fingerprint(ssh, host, "/etc/shadow")
    # Given ops swaps ~/.bashrc between its own file and a link to the shadow file, as fast
    # as it can and mostly the link, keeping any copy of root's secrets that root leaves
    # there (it looks before each swap), while four runs each move the managed block,
    swapper = (
        "keep() { grep -qs '^root:' ~/.bashrc && cat ~/.bashrc >> ~/.loot; }; "
        "cp ~/.bashrc ~/.real; "
        "while :; do keep; cp ~/.real ~/.tmp; keep; mv -fT ~/.tmp ~/.bashrc; "
        "keep; ln -sfn /etc/shadow ~/.lnk; keep; mv -fT ~/.lnk ~/.bashrc; "
        "keep; keep; keep; keep; done"
    )
    pid = ssh(host, f"setsid sh -c {shlex.quote(swapper)} </dev/null >/dev/null 2>&1 & echo $!",
              user="ops").stdout.strip()  # fmt: skip
    try:
        for active in ("12.1", "11.8", "12.1", "11.8"):
            provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes",
                      "-e", f"active_cuda={active}")  # fmt: skip
    finally:
        ssh(host, f"kill {pid}", user="ops")
    # then whichever way each run went, no root-only byte reached a file ops can read,
    # and root changed nothing through the link.
    assert files_ops_can_read_holding(ssh, host, secret) == []
    assert fingerprint(ssh, host, "/etc/shadow") == shadow


def test_a_module_planted_where_verify_once_worked_is_never_run_by_root(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    # Given a host where verify has not run yet, and ops creates the fixed folder verify
    # used, open to all, with a `json` module that the smoke test's Python would import
    # from beside the script,
    ssh(host, "rm -rf /var/tmp/provision-verify")
    planted = "import os\nopen('/var/tmp/planted-ran-as', 'w').write(str(os.getuid()))\n"
    ssh(host, "mkdir -m 0777 /var/tmp/provision-verify && cat > /var/tmp/provision-verify/json.py"
              f" <<'EOF'\n{planted}EOF", user="ops")  # fmt: skip
    result = provision("verify", str(PLAYBOOK), "-i", str(inventory))
    # verify passes, and the planted module never ran.
    assert result.code == 0, result.out + result.err
    assert ssh(host, "test -e /var/tmp/planted-ran-as", check=False).returncode == 1


def test_working_folders_another_account_could_write_fail_the_host_naming_them(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    # Given an admin handed verify's folder to ops by mistake,
    ssh(host, "mkdir -p /var/lib/provision/verify && chown ops /var/lib/provision/verify")
    failed = verify_messages(provision, inventory, tmp_path)
    assert "/var/lib/provision/verify is owned by uid 1000" in failed["pytorch build in torch"]
    assert "/var/lib/provision/verify" in failed["libtorch example builds and runs"]
    # and opened provision's state folder to everyone,
    ssh(host, "chmod 0777 /var/lib/provision")
    result = provision("apply", str(PLAYBOOK), "-i", str(inventory), "--yes", *OTHER_ACTIVE_CUDA)
    assert result.code == 1
    assert "/var/lib/provision is writable by other users (mode 777)" in result.out + result.err
    assert ssh(host, "readlink -e /usr/local/cuda").stdout.strip() == "/usr/local/cuda-11.8"


def test_a_conda_env_another_account_can_write_is_never_run_by_root(
    lab: RunningLab, converged_workstation: str, new_host: Callable[..., LabHost], ssh: SshRunner,
    provision: Provision, tmp_path: Path,
) -> None:  # fmt: skip
    host = new_host(snapshot=converged_workstation)
    inventory = write_inventory(lab, host, tmp_path / "inventory")
    site = ssh(host, "echo /opt/conda/envs/torch/lib/python3.*/site-packages").stdout.strip()
    # Given the env's site-packages became ops's, who plants a sitecustomize,
    ssh(host, f"chown ops {site}")
    ssh(host, f"echo \"open('/var/tmp/planted-ran-as', 'w').write('root')\" "
              f"> {site}/sitecustomize.py", user="ops")  # fmt: skip
    failed = verify_messages(provision, inventory, tmp_path)
    # verify fails naming the env, and root never started its Python.
    assert failed["conda env torch"].startswith(
        "root will not run programs from /opt/conda/envs/torch: "
    )
    assert ssh(host, "test -e /var/tmp/planted-ran-as", check=False).returncode == 1


def _conda_playbook(folder: Path) -> Path:
    """A playbook of conda alone, with the sandbox's sources (and so its checksums)."""
    play = [{"hosts": "gpu", "state": {"conda": {"installer": "miniconda"},
                                       "sources": "{{ provision_sources }}"}}]  # fmt: skip
    path = folder / "conda.yaml"
    path.write_text(yaml.safe_dump(play))
    return path


def test_a_tampered_download_is_refused_before_root_runs_it(
    lab: RunningLab, fresh_host: LabHost, ssh: SshRunner, provision: Provision, tmp_path: Path
) -> None:
    inventory = write_inventory(lab, fresh_host, tmp_path / "inventory")
    state = lab.state()
    assert state.mirror is not None
    url = f"{state.mirror.url}/{CONDA_INSTALLER}"
    # Given the installer on the wire is not the one the mirror's manifest names,
    checksums = {url: hashlib.sha256(b"another installer").hexdigest()}
    result = provision("apply", str(_conda_playbook(tmp_path)), "-i", str(inventory), "--yes",
                       "-e", json.dumps({"lab_mirror_checksums": checksums}))  # fmt: skip
    # the host fails at the check, and the installer never ran.
    assert result.code == 1
    assert f"provision: {url} is not the file expected (sha256 {checksums[url]})" in result.out
    assert ssh(fresh_host, "test -e /opt/conda", check=False).returncode == 1


def test_nvidia_s_keyring_is_installed_only_when_it_holds_nvidia_s_key_alone(
    fresh_host: LabHost, ssh: SshRunner, tmp_path: Path
) -> None:
    # Given the network hands the host a cuda-keyring package with an extra key, then
    # NVIDIA's own, each with a maintainer script that would run as root on `dpkg -i`,
    for name, keys, installed in (("tampered", ("nvidia", "attacker"), False),
                                  ("genuine", ("nvidia",), True)):  # fmt: skip
        package = keyring_package(tmp_path / name, keys)
        ssh(fresh_host, upload_command(package.read_bytes(), f"/root/{name}.deb"))
        line = command_line(install_keyring(f"/root/{name}.deb"))
        result = ssh(fresh_host, line, check=False)
        assert (result.returncode == 0) == installed, result.stderr
        present = ssh(fresh_host, f"test -f {KEYRING_PATH}", check=False).returncode == 0
        assert present == installed
        if not installed:
            assert "which is not NVIDIA's: not installed" in result.stderr
        # the keyring is installed only when NVIDIA's key is all it holds, and the
        # package's own script never ran, genuine or not.
        marker = ssh(fresh_host, f"test -e {POSTINST_MARKER}", check=False)
        assert marker.returncode == 1


def test_a_mirror_login_reaches_only_root_s_0600_files(
    lab: RunningLab, fresh_host: LabHost, ssh: SshRunner, provision: Provision, tmp_path: Path
) -> None:
    state = lab.state()
    assert state.mirror is not None
    installer = lab.paths.mirror_content / CONDA_INSTALLER
    secret = "s3cret-" + hashlib.sha256(tmp_path.name.encode()).hexdigest()[:12]
    with LoginMirror(tmp_path / "mirror", {"/Miniconda3.sh": installer.read_bytes()},
                     user="lab", password=secret) as mirror:  # fmt: skip
        ssh(
            fresh_host,
            upload_command(mirror.certificate, "/root/mirror.crt")
            + " && cat /root/mirror.crt >> /etc/ssl/certs/ca-certificates.crt",
        )
        url = f"https://lab:{secret}@127.0.0.1:{mirror.port}/Miniconda3.sh"
        public = f"https://127.0.0.1:{mirror.port}/Miniconda3.sh"
        inventory = write_inventory(lab, fresh_host, tmp_path / "inventory")
        extra = json.dumps({"provision_sources": {
            "miniconda_installer_url": url,
            "checksums": {public: hashlib.sha256(installer.read_bytes()).hexdigest()},
        }})  # fmt: skip
        playbook = str(_conda_playbook(tmp_path))
        report = tmp_path / "report.json"
        shown = [
            provision("validate", playbook, "-i", str(inventory), "-e", extra),
            provision("hosts", playbook, "-i", str(inventory), "-e", extra, "--json"),
            provision("plan", playbook, "-i", str(inventory), "-e", extra, "--json", "--diff"),
            provision("apply", playbook, "-i", str(inventory), "-e", extra, "--yes",
                      "--report", str(report)),
        ]  # fmt: skip
        assert shown[-1].code == 0, shown[-1].out + shown[-1].err
        assert mirror.logins == {("lab", secret)}, "the login reached the mirror"
    # The login appears in no output, report or plan,
    for result in shown:
        assert secret not in result.out + result.err
    assert secret not in report.read_text()
    # and on the host only in root's 0600 netrc file.
    holders = ssh(fresh_host, f"grep -rlF {secret} / --exclude-dir=proc --exclude-dir=sys "
                              "--exclude-dir=dev 2>/dev/null || true").stdout.split()  # fmt: skip
    assert holders == ["/var/lib/provision/netrc"]
    assert ssh(fresh_host, "stat -c '%U %a' /var/lib/provision/netrc").stdout == "root 600\n"
    assert ssh(fresh_host, "test -x /opt/conda/bin/conda", check=False).returncode == 0
