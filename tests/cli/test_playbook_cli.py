"""`provision validate`, `hosts` and `schema`: exit codes, outputs and one-line errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.cli.conftest import CliRunner

ROOT = Path(__file__).parents[2]
WORKSTATION = str(ROOT / "playbooks/workstation.yaml")
LAB = str(ROOT / "inventories/lab")


def test_the_shipped_workstation_playbook_is_valid_for_the_example_lab(
    provision_cli: CliRunner,
) -> None:
    result = provision_cli("validate", WORKSTATION, "-i", LAB)
    assert (result.code, result.err) == (0, "")
    assert result.out == f"{WORKSTATION}: valid (1 play, 4 hosts)\n"


def test_driver_515_with_cuda_12_1_is_refused_naming_both_minimums(
    provision_cli: CliRunner,
) -> None:
    result = provision_cli("validate", WORKSTATION, "-i", LAB, "-e", "driver_version=515.43.04")
    assert result.code == 2
    assert result.out == ""
    line = result.err.strip()
    assert "\n" not in line
    assert line.startswith(f"provision: error: {WORKSTATION}: play 1 'GPU workstation', host ws01:")
    assert "state.driver.version" in line and "state.cuda_toolkits[2].version" in line
    assert "525.60.13" in line and "530.30.02" in line


def test_warnings_go_to_stderr_once_for_all_hosts(provision_cli: CliRunner) -> None:
    result = provision_cli(
        "validate", WORKSTATION, "-i", LAB, "-e", "{torch_version: '2.13.0', torch_variant: cu126}"
    )
    assert result.code == 0
    warnings = result.err.strip().splitlines()
    assert len(warnings) == 1
    assert warnings[0].startswith("provision: warning: play 1, hosts ws01,ws02,ws03,ws04: ")
    assert "560.28.03" in warnings[0]


def test_hosts_json_is_one_document_with_each_rendered_state(provision_cli: CliRunner) -> None:
    result = provision_cli("hosts", WORKSTATION, "-i", LAB, "--limit", "office", "--json")
    assert result.code == 0
    document = json.loads(result.out)
    play = document["plays"][0]
    assert (play["name"], play["pattern"]) == ("GPU workstation", "gpu")
    assert sorted(play["hosts"]) == ["ws03", "ws04"]
    state = play["hosts"]["ws03"]
    assert state["driver"]["version"] == "535.154.05"
    assert state["active_cuda"] == "11.8"
    assert state["shell_profile"]["users"] == ["root", "researcher"]


def test_hosts_text_lists_each_host_with_its_state(provision_cli: CliRunner) -> None:
    result = provision_cli("hosts", WORKSTATION, "-i", LAB, "--limit", "ws01")
    assert result.code == 0
    assert result.out.startswith("play 1 'GPU workstation' (hosts: gpu): 1 host\n  ws01:\n")
    assert "      version: 535.154.05\n" in result.out


def test_schema_describes_plays_and_the_host_state(provision_cli: CliRunner) -> None:
    result = provision_cli("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert schema["type"] == "array"
    play = schema["$defs"]["_PlaySchema"]
    assert play["additionalProperties"] is False
    assert set(play["required"]) == {"hosts", "state"}
    assert "driver" in schema["$defs"]["HostState"]["properties"]


def test_version_and_help(provision_cli: CliRunner) -> None:
    assert provision_cli("--version").out.startswith("provision, version ")
    result = provision_cli("--help")
    assert result.code == 0
    for command in ("validate", "hosts", "inventory", "schema", "lab"):
        assert command in result.out


# --- bad input: each kind has its one-line message and exit code 2 -------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small inventory of two hosts in group `gpu`."""
    (tmp_path / "hosts.ini").write_text("[gpu]\nws01\nws02\n")
    return tmp_path


def run_play(provision_cli: CliRunner, site: Path, text: str, *extra: str) -> tuple[int, str]:
    path = site / "play.yaml"
    path.write_text(textwrap.dedent(text))
    result = provision_cli("validate", str(path), "-i", str(site / "hosts.ini"), *extra)
    assert result.out == ""
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    return result.code, result.err.removeprefix("provision: error: ").strip()


GOOD_DRIVER = "driver: {version: 535.154.05}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "- hosts: gpu\n  state: {driver: [1\n",
            "play.yaml:3:1: malformed YAML: expected ',' or ']', but got '<stream end>'",
            id="malformed-yaml",
        ),
        pytest.param(
            "- hosts: gpu\n  state:\n    driver: {verison: 535.154.05}\n",
            "host ws01: state.driver.verison: unknown key (did you mean 'version'?)",
            id="unknown-key",
        ),
        pytest.param(
            "- hosts: gpu\n  state:\n    driver: {version: 535.154.05, hold: maybe}\n",
            "host ws01: state.driver.hold: expected true or false",
            id="wrong-type",
        ),
        pytest.param(
            "- hosts: gpu\n  state:\n    driver: {version: 535.x}\n",
            "host ws01: state.driver.version: '535.x' is not a driver version",
            id="bad-version",
        ),
        pytest.param(
            "- hosts: gpu\n  state:\n    driver: {version: '535.154.05; rm -rf /'}\n",
            "host ws01: state.driver.version: '535.154.05; rm -rf /' is not a driver version",
            id="hostile-version",
        ),
        pytest.param(
            "- hosts: gpu\n  state:\n    driver: {version: '{{ drvier_version }}'}\n",
            "host ws01: state.driver.version: undefined variable: 'drvier_version' is undefined",
            id="undefined-variable",
        ),
        pytest.param(
            f"- hosts: gpus\n  state: {{{GOOD_DRIVER}}}\n",
            "play 1 'gpus': host pattern 'gpus'",
            id="unknown-group",
        ),
        pytest.param(
            f"- hosts: gpu\n  state: {{{GOOD_DRIVER}}}\n  seriall: 1\n",
            "play 1: seriall: unknown key (did you mean 'serial'?)",
            id="unknown-play-key",
        ),
    ],
)
def test_bad_playbook_input(provision_cli: CliRunner, site: Path, text: str, expected: str) -> None:
    code, message = run_play(provision_cli, site, text)
    assert code == 2
    assert message.startswith(str(site / "play.yaml")) or message.startswith(str(site))
    assert expected in message


def test_unknown_group_message_names_the_group(provision_cli: CliRunner, site: Path) -> None:
    code, message = run_play(provision_cli, site, f"- hosts: gpus\n  state: {{{GOOD_DRIVER}}}\n")
    assert code == 2
    assert "'gpus'" in message


def test_a_host_range_that_does_not_parse(provision_cli: CliRunner, site: Path) -> None:
    (site / "hosts.ini").write_text("[gpu]\nws[01:xx]\n")
    code, message = run_play(provision_cli, site, f"- hosts: gpu\n  state: {{{GOOD_DRIVER}}}\n")
    assert code == 2
    assert message.startswith(str(site / "hosts.ini"))
    assert "ws[01:xx]" in message


def test_a_missing_playbook(provision_cli: CliRunner, site: Path) -> None:
    result = provision_cli("validate", str(site / "nope.yaml"), "-i", str(site / "hosts.ini"))
    assert result.code == 2
    assert result.err == f"provision: error: {site / 'nope.yaml'}: no such file\n"


def test_a_missing_inventory(provision_cli: CliRunner, site: Path) -> None:
    result = provision_cli("validate", WORKSTATION, "-i", str(site / "nowhere"))
    assert result.code == 2
    assert result.err.startswith(f"provision: error: {site / 'nowhere'}")
    assert result.err.count("\n") == 1


def test_a_missing_option_is_a_usage_error(provision_cli: CliRunner) -> None:
    result = provision_cli("validate", WORKSTATION)
    assert result.code == 2
    assert "Missing option '-i' / '--inventory'" in result.err
    assert "Traceback" not in result.err
