"""The fact script itself: rendered safely, valid POSIX sh, and run for real here."""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from jinja2 import Template

from provision.connection import CommandResult, LocalConnection
from provision.facts import FactsError, FactsRequest, gather_facts, parse_facts, render_script


class RecordingConnection:
    """A connection double that records commands and answers with a canned output."""

    def __init__(self, stdout: bytes | None = None, *, can_become: bool = True) -> None:
        self.commands: list[tuple[str, bool]] = []
        self._stdout = stdout
        self._can_become = can_become
        self._local = LocalConnection()

    @property
    def name(self) -> str:
        return "recorded"

    def open(self) -> None:
        pass

    @property
    def can_become(self) -> bool:
        return self._can_become

    def run(
        self,
        command: str,
        *,
        timeout: float | None = None,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        sudo: bool = False,
    ) -> CommandResult:
        self.commands.append((command, sudo))
        if self._stdout is not None:
            return CommandResult(1, self._stdout, b"sh: 1: syntax error", 0.0)
        return self._local.run(command, timeout=timeout, stdin=stdin, env=env)

    def upload(
        self, data: bytes, path: str, *, owner: str | None = None, mode: int = 0o644
    ) -> None:
        raise AssertionError("facts never upload")

    def close(self) -> None:
        """Nothing to close."""


def test_inputs_are_quoted_into_the_script(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    hostile = f"$(touch {marker})"
    request = FactsRequest(
        users=(f"`touch {marker}`", "a'b; touch " + str(marker)),
        conda_prefix=f"/opt/x'; touch {marker}; '",
        libtorch_path=hostile,
    )
    script = render_script(request)
    result = subprocess.run(["sh", "-c", script.text], capture_output=True, timeout=60)
    assert not marker.exists()
    facts = parse_facts(result.stdout, script.key)
    assert facts.complete
    assert [user.user for user in facts.shell] == list(request.users)
    assert all(user.home is None for user in facts.shell)
    assert facts.conda is not None and facts.conda.prefix == request.conda_prefix
    assert facts.libtorch is not None and facts.libtorch.path == hostile


def test_requested_files_are_read_with_exact_hashes(tmp_path: Path) -> None:
    text_file = tmp_path / "it's a $(file).conf"
    text_file.write_bytes(b"no final newline")
    binary = tmp_path / "binary"
    binary.write_bytes(bytes(range(256)))
    binary.chmod(0o640)
    request = FactsRequest(files=(str(text_file), str(binary), str(tmp_path / "absent"),
                                  str(tmp_path)))  # fmt: skip
    script = render_script(request)
    facts = parse_facts(subprocess.run(["sh", "-c", script.text], capture_output=True).stdout,
                        script.key)  # fmt: skip
    plain, raw, absent, folder = facts.files
    assert (plain.path, plain.content, plain.size) == (str(text_file), "no final newline", 16)
    assert plain.sha256 == hashlib.sha256(b"no final newline").hexdigest()
    assert raw.sha256 == hashlib.sha256(bytes(range(256))).hexdigest() and raw.mode == "640"
    assert (absent.state, folder.state) == ("missing", "not-a-file")


def test_a_nul_in_an_input_is_refused() -> None:
    with pytest.raises(ValueError, match="NUL"):
        render_script(FactsRequest(users=("a\0b",)))


def test_the_key_is_random_per_render() -> None:
    assert render_script(FactsRequest()).key != render_script(FactsRequest()).key


@pytest.mark.skipif(shutil.which("dash") is None, reason="dash is not installed")
def test_the_script_is_valid_posix_sh_for_dash() -> None:
    script = render_script(FactsRequest(users=("root",), conda_prefix="/opt/conda"))
    result = subprocess.run(["dash", "-n", "-c", script.text], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("program", ["python", "python3", "conda", "nvidia-smi", "nvcc", "torch"])
def test_the_script_starts_no_interpreter_or_nvidia_tool(program: str) -> None:
    text = render_script(FactsRequest(users=("root",), conda_prefix="/c", libtorch_path="/l")).text
    in_command_position = re.compile(
        rf"(^|[;&|(`]|\bthen|\bdo|\belse)\s*{re.escape(program)}(\s|$)"
    )
    offending = [line for line in text.splitlines() if in_command_position.search(line.strip())]
    assert offending == []


def test_gathering_is_one_command_run_as_root_when_possible() -> None:
    connection = RecordingConnection()
    gather_facts(connection, FactsRequest(users=("root",)))
    assert len(connection.commands) == 1
    assert connection.commands[0][1] is True
    without_become = RecordingConnection(can_become=False)
    gather_facts(without_become)
    assert without_become.commands[0][1] is False


def test_a_script_that_does_not_finish_is_an_error_naming_the_host() -> None:
    with pytest.raises(FactsError, match=r"host 'recorded'.*syntax error"):
        gather_facts(RecordingConnection(stdout=b"\n@@x identity\n"))


@pytest.mark.skipif(platform.system() != "Linux", reason="the fact script reads Linux files")
def test_facts_of_this_machine_through_a_local_connection() -> None:
    connection = LocalConnection()
    started = time.monotonic()
    facts = gather_facts(connection, FactsRequest(users=("root",), conda_prefix="/nonexistent"))
    elapsed = time.monotonic() - started
    print(f"\nfacts of this machine (LocalConnection): {elapsed * 1000:.0f} ms")
    assert facts.complete
    assert facts.kernel.release == platform.release()
    assert facts.kernel.machine == platform.machine()
    assert facts.kernel.uid == os.geteuid()
    if Path("/proc/sys/kernel/random/boot_id").exists():
        boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        assert facts.kernel.boot_id == boot_id
    os_release = platform.freedesktop_os_release()
    assert facts.os.id == os_release["ID"]
    assert facts.os.version_id == os_release.get("VERSION_ID")
    assert facts.shell[0].home == os.path.expanduser("~root")
    assert facts.conda is not None and not facts.conda.exists
    toolkits = sorted(
        str(path)
        for path in Path("/usr/local").glob("cuda-*")
        if path.is_dir() and not path.is_symlink()
    )
    assert [toolkit.path for toolkit in facts.cuda.toolkits] == toolkits
    if shutil.which("dpkg-query"):
        assert facts.apt.dpkg


def test_the_template_is_compiled_once_not_once_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    from provision.facts import script

    render_script(FactsRequest(users=("root",)))
    compiled: list[str] = []
    original = script.template

    def counting_template(name: str) -> Template:
        compiled.append("compiled")
        return original(name)

    monkeypatch.setattr(script, "template", counting_template)
    first = render_script(FactsRequest(users=("root",)), key="aa11")
    second = render_script(FactsRequest(users=("alice",)), key="bb22")
    assert compiled == []
    assert "aa11" in first.text and "alice" not in first.text
    assert "bb22" in second.text and "alice" in second.text


def _torch_env(prefix: Path, name: str, version: str) -> None:
    dist_info = (
        prefix / "envs" / name / "lib/python3.11/site-packages" / f"torch-{version}.dist-info"
    )
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n\nName: not-a-header\n"
    )


def test_files_read_at_the_end_keep_their_sections_and_odd_paths_are_skipped(
    tmp_path: Path,
) -> None:
    """The files one awk reads at the end come out as their own sections; a path holding a
    tab or newline (which its list cannot carry) is left out, and nothing else is lost."""
    prefix = tmp_path / "conda"
    _torch_env(prefix, "plain", "2.13.0")
    _torch_env(prefix, "tab\there", "2.12.0")
    _torch_env(prefix, "new\nline", "2.11.0")
    script = render_script(FactsRequest(conda_prefix=str(prefix)))
    output = subprocess.run(["sh", "-c", script.text], capture_output=True, check=True).stdout
    facts = parse_facts(output, script.key)
    assert facts.complete and facts.conda is not None
    by_name = {env.name: env.pip_torch for env in facts.conda.envs}
    assert (by_name["plain"], by_name["tab\there"]) == ("2.13.0", None)
    assert "2.11.0" not in by_name.values()


def test_hosts_starting_together_compile_the_template_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from provision.facts import script

    compiled: list[str] = []
    original = script.template

    def slow_counting_template(name: str) -> Template:
        compiled.append("compiled")
        time.sleep(0.05)  # widens the window in which other threads find no template yet
        return original(name)

    monkeypatch.setattr(script, "template", slow_counting_template)
    script._compiled_template.cache_clear()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            texts = list(
                pool.map(lambda n: render_script(FactsRequest(), key=f"k{n}").text, range(8))
            )
    finally:
        script._compiled_template.cache_clear()
    assert compiled == ["compiled"]
    assert all(f"k{n}" in text for n, text in enumerate(texts))
