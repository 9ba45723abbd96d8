"""The Ansible adapter's pure parts: variants, its inventory and command, and the playbook's
files and pins matching what provision converges."""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bench.ansible.tool import (
    CONFIG,
    HERE,
    PLAYBOOK,
    AnsibleTool,
    close_control_masters,
    control_path_dir,
    deb_versions,
    fetch_target_debs,
    forks,
)
from bench.errors import BenchError
from bench.tool import Lab, LabHost
from provision.models import CudaToolkit
from provision.resources.apt_repository import _list_content
from provision.resources.nouveau import blacklist_content
from provision.resources.shell_profile import block_content

REPOSITORY = Path(__file__).resolve().parents[3]


def make_lab(tmp_path: Path, hosts: int = 2) -> Lab:
    ssh = tmp_path / "lab dir" / "ssh"
    return Lab(
        hosts=tuple(
            LabHost(
                name=f"lab-{index:02d}",
                address="127.0.0.1",
                port=40000 + index,
                user="root",
                private_key=ssh / "id_ed25519",
                known_hosts=ssh / "known_hosts",
            )
            for index in range(1, hosts + 1)
        ),
        inventory=tmp_path / "inventory" / "hosts.yaml",
        mirror_url="http://127.0.0.1:8123",
        mirror_apt_source="deb [trusted=yes] http://127.0.0.1:8123/apt ./",
        workdir=tmp_path / "work",
    )


def test_variants_add_forks_only_beyond_ansibles_default_of_five() -> None:
    tool = AnsibleTool()
    assert tool.variants(1) == ["default"]
    assert tool.variants(5) == ["default"]
    assert tool.variants(20) == ["default", "forks-20"]


def test_variant_names_give_the_forks_flag() -> None:
    assert forks("default") is None
    assert forks("forks-20") == 20


@pytest.mark.parametrize("variant", ["forks-0", "forks-x", "forks-", "parallel-5", "fast"])
def test_unknown_variants_are_refused_by_name(variant: str) -> None:
    with pytest.raises(BenchError, match=repr(variant)):
        forks(variant)


def test_invocation_writes_an_inventory_of_the_lab(tmp_path: Path) -> None:
    lab = make_lab(tmp_path)
    venv = tmp_path / "venv"
    invocation = AnsibleTool().invocation("default", lab, venv)
    inventory_path = Path(invocation.argv[invocation.argv.index("-i") + 1])
    assert inventory_path.parent == lab.workdir
    document: dict[str, Any] = json.loads(inventory_path.read_text())
    variables = document["all"]["vars"]
    assert variables["lab_mirror_url"] == lab.mirror_url
    assert variables["lab_mirror_apt_source"] == lab.mirror_apt_source
    assert variables["target_debs_dir"] == str(venv / "target-debs")
    hosts = document["all"]["children"]["gpu"]["hosts"]
    assert list(hosts) == ["lab-01", "lab-02"]
    second = hosts["lab-02"]
    assert (second["ansible_host"], second["ansible_port"], second["ansible_user"]) == (
        "127.0.0.1",
        40002,
        "root",
    )
    assert second["ansible_ssh_private_key_file"] == str(lab.hosts[1].private_key)


def test_ssh_checks_host_keys_against_the_labs_known_hosts_even_with_spaces(
    tmp_path: Path,
) -> None:
    lab = make_lab(tmp_path)
    AnsibleTool().invocation("default", lab, tmp_path / "venv")
    document = json.loads((lab.workdir / "ansible-inventory.json").read_text())
    arguments = shlex.split(
        document["all"]["children"]["gpu"]["hosts"]["lab-01"]["ansible_ssh_common_args"]
    )
    assert arguments == [
        "-o",
        f"UserKnownHostsFile={lab.hosts[0].known_hosts}",
        "-o",
        "StrictHostKeyChecking=yes",
    ]


def test_command_runs_the_playbook_with_forks_only_when_asked(tmp_path: Path) -> None:
    lab = make_lab(tmp_path)
    venv = tmp_path / "venv"
    default = AnsibleTool().invocation("default", lab, venv)
    assert default.argv[0] == str(venv / "bin" / "ansible-playbook")
    assert str(PLAYBOOK) in default.argv
    assert "--forks" not in default.argv
    wide = AnsibleTool().invocation("forks-20", lab, venv)
    assert wide.argv[wide.argv.index("--forks") + 1] == "20"


def test_ansible_keeps_its_config_and_state_out_of_the_users_home(tmp_path: Path) -> None:
    lab = make_lab(tmp_path)
    invocation = AnsibleTool().invocation("default", lab, tmp_path / "venv")
    assert invocation.env["ANSIBLE_CONFIG"] == str(CONFIG)
    assert CONFIG.is_file()
    for name in ("ANSIBLE_HOME", "ANSIBLE_LOCAL_TEMP", "ANSIBLE_SSH_CONTROL_PATH_DIR"):
        assert Path(invocation.env[name]).is_relative_to(lab.workdir)
    assert invocation.cwd == lab.workdir


def test_deb_versions_read_debian_file_names(tmp_path: Path) -> None:
    for name in ("python3-apt_2.6.0_amd64.deb", "distro-info-data_0.58+deb12u7_all.deb",
                 "libfoo_1%3a2.0-1_amd64.deb"):  # fmt: skip
        (tmp_path / name).touch()
    assert deb_versions(tmp_path) == {
        "python3-apt": "2.6.0",
        "distro-info-data": "0.58+deb12u7",
        "libfoo": "1:2.0-1",
    }


def test_target_debs_already_fetched_are_not_downloaded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("python3-apt_2.6.0_amd64.deb", "python-apt-common_2.6.0_all.deb",
                 "distro-info-data_0.58_all.deb", "python3-packaging_23.0-1_all.deb"):  # fmt: skip
        (tmp_path / name).touch()

    def refuse(*arguments: object, **options: object) -> None:
        raise AssertionError(f"ran {arguments}")

    monkeypatch.setattr(subprocess, "run", refuse)
    assert fetch_target_debs(tmp_path)["python3-packaging"] == "23.0-1"


def test_a_failed_deb_download_is_a_bench_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(argv: list[str], **options: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(argv, 100, "", "E: Unable to locate package x\n")

    monkeypatch.setattr(subprocess, "run", fail)
    with pytest.raises(BenchError, match="Unable to locate package"):
        fetch_target_debs(tmp_path / "debs")


def test_control_masters_are_stopped_through_their_sockets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert close_control_masters(tmp_path) == 0
    folder = control_path_dir(tmp_path)
    folder.mkdir(parents=True)
    (folder / "not-a-socket").touch()
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(folder / "a1"))
    calls: list[list[str]] = []

    def record(argv: list[str], **options: object) -> subprocess.CompletedProcess[bytes]:
        calls.append(argv)
        return subprocess.CompletedProcess(argv, 0, b"", b"")

    monkeypatch.setattr(subprocess, "run", record)
    try:
        assert close_control_masters(tmp_path) == 1
    finally:
        listener.close()
    assert calls == [
        ["ssh", "-O", "exit", "-o", f"ControlPath={folder / 'a1'}", "ansible-control-master"]
    ]


def _ansible_template(name: str, **values: str) -> bytes:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["quote"] = shlex.quote
    return environment.get_template(name).render(**values).encode()


def test_managed_files_have_provisions_exact_bytes() -> None:
    assert _ansible_template("blacklist-nouveau.conf.j2") == blacklist_content()
    line = "deb [trusted=yes] http://127.0.0.1:8123/apt ./"
    assert _ansible_template("provision-cuda.list.j2", apt_repository=line) == _list_content(line)
    toolkit = CudaToolkit.model_validate({"version": "11.8.0", "source": "apt"})
    profile = _ansible_template(
        "cuda-profile.sh.j2", active_cuda="11.8", active_cuda_home="/usr/local/cuda-11.8"
    )
    assert profile == block_content(toolkit)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def test_pins_match_the_workstation_playbook_and_the_sandbox_inventory() -> None:
    pins = _yaml(HERE / "vars" / "workstation.yml")
    play = _yaml(REPOSITORY / "playbooks" / "workstation.yaml")[0]
    sandbox = _yaml(REPOSITORY / "inventories" / "sandbox" / "group_vars" / "all.yaml")
    wanted = {**play["vars"], **sandbox}
    for name in ("driver_version", "active_cuda", "cudnn_version", "python_version",
                 "torch_version", "torch_variant", "libtorch_version", "libtorch_variant",
                 "cuda_shell_users"):  # fmt: skip
        assert pins[name] == wanted[name], name
    toolkits = [item["version"] for item in play["state"]["cuda_toolkits"]]
    assert [item["package"] for item in pins["cuda_toolkits"]] == [
        f"cuda-toolkit-{version.rsplit('.', 1)[0].replace('.', '-')}={version}-1"
        for version in toolkits
    ]
    assert play["state"]["conda"]["prefix"] == pins["conda_prefix"]
    assert play["state"]["libtorch"]["path"] == f"{pins['libtorch_parent']}/libtorch"


def test_the_play_never_reboots_and_its_handler_is_notified() -> None:
    play = _yaml(PLAYBOOK)[0]
    tasks = [task for task in play["tasks"] for task in task.get("block", [task])]
    modules = {key for task in tasks for key in task if key.startswith("ansible.")}
    assert "ansible.builtin.reboot" not in modules
    assert "ansible.builtin.apt" in modules
    assert play.get("gather_facts", True) is True
    notified = {task["notify"] for task in tasks if "notify" in task}
    assert notified == {handler["name"] for handler in play["handlers"]}
