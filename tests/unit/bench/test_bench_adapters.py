"""provision's and the floor's adapters, and reading the lab's generated inventory."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import yaml

from bench.cli import REPOSITORY
from bench.floor import FloorTool
from bench.floor import main as floor_main
from bench.lab_session import lab_from_inventory
from bench.provision_tool import ProvisionTool
from bench.tool import Lab
from bench.tools import TOOL_NAMES, load_tool
from provision_lab.inventory_writer import inventory_document
from provision_lab.paths import LabPaths
from provision_lab.processes import ProcessRecord
from provision_lab.state import HostRecord, LabState, MirrorRecord


@pytest.fixture
def lab(tmp_path: Path) -> Lab:
    """A Lab read from an inventory written the way `provision lab up` writes it."""
    paths = LabPaths.at(tmp_path / "lab")
    state = LabState(
        hosts={name: HostRecord(name=name, port=port) for name, port in
               [("lab-02", 40002), ("lab-01", 40001)]},
        mirror=MirrorRecord(
            port=45000, process=ProcessRecord(pid=1, start_time=1),
            apt_source="deb [trusted=yes] http://127.0.0.1:45000/apt ./",
        ),
    )  # fmt: skip
    inventory = tmp_path / "inventory" / "hosts.yaml"
    inventory.parent.mkdir()
    inventory.write_text(yaml.safe_dump(inventory_document(paths, state)))
    return lab_from_inventory(inventory, tmp_path / "work")


def test_the_lab_inventory_gives_hosts_keys_and_mirror(lab: Lab, tmp_path: Path) -> None:
    assert [(host.name, host.port) for host in lab.hosts] == [("lab-01", 40001), ("lab-02", 40002)]
    host = lab.hosts[0]
    assert (host.address, host.user) == ("127.0.0.1", "root")
    assert host.private_key == tmp_path / "lab" / "ssh" / "id_ed25519"
    assert host.known_hosts == tmp_path / "lab" / "ssh" / "known_hosts"
    assert lab.mirror_url == "http://127.0.0.1:45000"
    assert lab.mirror_apt_source.startswith("deb [trusted=yes] http://127.0.0.1:45000/apt")


def test_provision_runs_the_workstation_playbook_on_a_sandbox_shaped_inventory(lab: Lab) -> None:
    lab.workdir.mkdir()
    tool = ProvisionTool(REPOSITORY)
    invocation = tool.invocation("default", lab, Path("/venvs/provision"))
    folder = lab.workdir / "inventory"
    assert invocation.argv == [
        "/venvs/provision/bin/provision", "apply", "playbooks/workstation.yaml",
        "-i", str(folder), "--yes", "--no-reboot",
    ]  # fmt: skip
    assert invocation.ok_exit_codes == (0, 3), "reboot-pending after the first run is success"
    assert invocation.cwd == REPOSITORY
    assert (folder / "hosts.yaml").read_text() == lab.inventory.read_text()
    sandbox = REPOSITORY / "inventories" / "sandbox" / "group_vars" / "all.yaml"
    assert (folder / "group_vars" / "all.yaml").read_text() == sandbox.read_text()


def test_provision_gets_a_forks_variant_only_beyond_its_default_forks(lab: Lab) -> None:
    lab.workdir.mkdir()
    tool = ProvisionTool(REPOSITORY)
    assert tool.variants(10) == ["default"]
    assert tool.variants(20) == ["default", "forks-20"]
    argv = tool.invocation("forks-20", lab, Path("/venvs/provision")).argv
    assert argv[-2:] == ["--forks", "20"]
    with pytest.raises(ValueError, match="fast"):
        tool.invocation("fast", lab, Path("/venvs/provision"))


def test_the_floor_gets_every_host_with_its_key_and_known_hosts(lab: Lab) -> None:
    lab.workdir.mkdir()
    invocation = FloorTool(REPOSITORY).invocation("default", lab, Path("/venvs/floor"))
    assert invocation.argv[:3] == ["/venvs/floor/bin/python", "-m", "bench.floor"]
    hosts = json.loads(Path(invocation.argv[3]).read_text())
    assert [host["port"] for host in hosts] == [40001, 40002]
    assert hosts[0]["known_hosts"] == str(lab.hosts[0].known_hosts)


def test_the_floor_fails_naming_a_host_it_cannot_reach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hosts = [{
        "name": "lab-09", "address": "127.0.0.1", "port": port, "user": "root",
        "private_key": str(tmp_path / "key"), "known_hosts": str(tmp_path / "kh"),
    }]  # fmt: skip
    (tmp_path / "kh").write_text("")
    (tmp_path / "hosts.json").write_text(json.dumps(hosts))
    assert floor_main([str(tmp_path / "hosts.json")]) == 1
    assert "floor: lab-09:" in capsys.readouterr().err


def test_every_adapter_loads_and_has_the_tool_interface() -> None:
    for name in TOOL_NAMES:
        tool = load_tool(name, REPOSITORY)
        assert tool.name == name
        assert tool.variants(1)[0] == "default"
