"""`up` is idempotent, `down` leaves nothing behind, even after a failed `up`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest
import yaml

from provision.errors import ProvisionError
from provision_lab.host_status import read_status
from provision_lab.lab import down, remove_host, up
from provision_lab.mounts import mounts_under
from provision_lab.paths import LabPaths
from provision_lab.processes import ProcessRecord, is_running, wait_for_exit
from provision_lab.pytest_plugin import RunningLab
from tests.conftest import provision_program

pytestmark = pytest.mark.lab


def recorded_processes(paths: LabPaths) -> list[ProcessRecord]:
    state = json.loads(paths.state_file.read_text())
    records = [ProcessRecord(**state["mirror"]["process"])] if state["mirror"] else []
    for name, host in state["hosts"].items():
        if host["supervisor"]:
            records.append(ProcessRecord(**host["supervisor"]))
        status = read_status(paths.host(name).status_file)
        if status is not None:
            records.extend(record for record in (status.unshare, status.sshd) if record)
    return records


def processes_rooted_under(directory: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            root = Path(os.readlink(entry / "root"))
        except OSError:
            continue
        if root == directory or directory in root.parents:
            found.append(int(entry.name))
    return found


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def assert_nothing_left(paths: LabPaths, ports: set[int], records: list[ProcessRecord]) -> None:
    assert mounts_under(paths.root.resolve()) == []
    assert [record.pid for record in records if is_running(record)] == []
    assert processes_rooted_under(paths.root.resolve()) == []
    assert [port for port in ports if accepts(port)] == []


def test_down_leaves_no_process_mount_or_listener(second_lab: LabPaths) -> None:
    state = up(second_lab, 2)
    records = recorded_processes(second_lab)
    assert state.mirror is not None
    ports = {record.port for record in state.hosts.values()} | {state.mirror.port}
    assert len(records) == 7 and all(accepts(port) for port in ports)
    assert len(processes_rooted_under(second_lab.root.resolve())) >= 2
    down(second_lab)
    assert_nothing_left(second_lab, ports, records)
    assert not second_lab.hosts.exists() or list(second_lab.hosts.iterdir()) == []
    assert second_lab.known_hosts.read_text() == ""


def test_down_cleans_up_after_an_up_that_failed(second_lab: LabPaths) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ProvisionError, match="lab-01 failed to boot"):
            up(second_lab, 1, allocate_port=lambda: port)
        records = recorded_processes(second_lab)
        assert mounts_under(second_lab.root.resolve()) != []
        assert "Address already in use" in second_lab.host("lab-01").sshd_log.read_text()
        down(second_lab)
        assert_nothing_left(second_lab, set(), records)


def test_down_with_nothing_up_exits_zero(tmp_path: Path) -> None:
    for _ in range(2):
        result = subprocess.run(
            [provision_program(), "lab", "down", "--dir", str(tmp_path / "never-up")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert (result.returncode, result.stderr) == (0, "")


def test_up_twice_keeps_the_running_hosts(lab: RunningLab) -> None:
    before = lab.state()
    boot_ids = {name: read_status(lab.paths.host(name).status_file) for name in before.hosts}
    again = up(lab.paths, 3)
    assert again.hosts == before.hosts and again.mirror == before.mirror
    assert {
        name: read_status(lab.paths.host(name).status_file) for name in before.hosts
    } == boot_ids


def test_up_with_more_hosts_adds_them(lab: RunningLab) -> None:
    before = lab.state()
    try:
        grown = up(lab.paths, len(before.hosts) + 1)
        added = set(grown.hosts) - set(before.hosts)
        assert len(added) == 1
        assert {name: grown.hosts[name] for name in before.hosts} == before.hosts
        assert len(lab.paths.known_hosts.read_text().splitlines()) == len(grown.hosts)
    finally:
        for name in set(lab.state().hosts) - set(before.hosts):
            remove_host(lab.paths, name)


def test_cli_up_writes_the_inventory_and_status_shows_the_lab(
    lab: RunningLab, tmp_path: Path
) -> None:
    inventory = tmp_path / "inventories/sandbox/hosts.yaml"
    group_vars = tmp_path / "inventories/sandbox/group_vars/all.yaml"
    group_vars.parent.mkdir(parents=True)
    group_vars.write_text("sources: {apt: '{{ lab_mirror_apt_source }}'}\n")
    command = [provision_program(), "lab", "up", "--hosts", "3", "--dir", str(lab.paths.root)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    document = yaml.safe_load(inventory.read_text())
    state = lab.state()
    assert state.mirror is not None
    for name, record in state.hosts.items():
        assert document["all"]["children"]["gpu"]["hosts"][name] == {
            "ansible_host": "127.0.0.1",
            "ansible_port": record.port,
            "ansible_user": "root",
            "ansible_ssh_private_key_file": str(lab.paths.client_key),
            "provision_known_hosts": str(lab.paths.known_hosts),
        }
    assert document["all"]["vars"]["lab_mirror_url"] == state.mirror.url
    assert document["all"]["vars"]["lab_mirror_apt_source"] == state.mirror.apt_source
    assert group_vars.read_text() == "sources: {apt: '{{ lab_mirror_apt_source }}'}\n"
    known = sorted(line.split()[0] for line in lab.paths.known_hosts.read_text().splitlines())
    assert known == sorted(f"[127.0.0.1]:{record.port}" for record in state.hosts.values())
    status = subprocess.run(
        [provision_program(), "lab", "status", "--json", "--dir", str(lab.paths.root)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    shown = json.loads(status.stdout)
    assert {host["name"]: host["state"] for host in shown["hosts"]} == dict.fromkeys(
        state.hosts, "up"
    )
    assert all(host["boot_id"] and host["pid"] for host in shown["hosts"])
    assert shown["mirror"]["url"] == state.mirror.url
    assert shown["mirror"]["apt_source"].startswith("deb [trusted=yes] http://127.0.0.1:")


def test_up_restarts_a_host_whose_sshd_died(lab: RunningLab) -> None:
    host_paths = lab.paths.host("lab-03")
    before = read_status(host_paths.status_file)
    assert before is not None and before.sshd is not None and before.state == "up"
    os.kill(before.sshd.pid, signal.SIGKILL)
    restored = False
    try:
        assert wait_for_exit(before.sshd, 10)
        shown = subprocess.run(
            [provision_program(), "lab", "status", "--json", "--dir", str(lab.paths.root)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        states = {host["name"]: host["state"] for host in json.loads(shown.stdout)["hosts"]}
        assert states["lab-03"] == "failed"
        state = up(lab.paths, 3)
        restored = True
    finally:
        if not restored:
            up(lab.paths, 3)  # the session's lab-03 is shared: bring it back for later tests
    after = read_status(host_paths.status_file)
    assert after is not None and after.state == "up" and after.boot_id != before.boot_id
    assert state.hosts["lab-03"].port == lab.hosts["lab-03"].port
    assert accepts(lab.hosts["lab-03"].port)


def test_a_base_image_in_use_by_running_hosts_is_never_rebuilt(
    lab: RunningLab, second_lab: LabPaths
) -> None:
    recipe = lab.paths.base_recipe_hash
    saved = recipe.read_text()
    inode = lab.paths.base_rootfs.stat().st_ino
    recipe.write_text("an older recipe\n")
    try:
        state = up(second_lab, 1)
    finally:
        recipe.write_text(saved)
    assert lab.paths.base_rootfs.stat().st_ino == inode
    assert accepts(state.hosts["lab-01"].port)
