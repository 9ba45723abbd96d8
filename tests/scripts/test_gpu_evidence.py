"""`scripts/gpu-evidence collect -c local` on this GPU-less machine: every piece of evidence
is gathered or recorded as missing, and what it gathered is what provision reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gpu-evidence"


def test_collect_here_records_the_facts_and_what_a_gpu_less_machine_lacks(
    tmp_path: Path,
) -> None:
    out, packed = tmp_path / "evidence", tmp_path / "nothing-packed"
    command = [sys.executable, str(SCRIPT), "collect", str(out), "-c", "local",
               "--packed", str(packed)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    manifest = {entry["file"]: entry for entry in json.loads((out / "manifest.json").read_text())}
    # The raw fact-script output is kept beside its parse, and the CLI's view agrees with it.
    assert manifest["facts.out"]["exit_code"] == 0
    parsed = json.loads((out / "facts-parsed.json").read_text())
    cli = json.loads((out / "facts-cli.json").read_text())["localhost"]
    assert parsed["complete"] is True
    assert parsed["os"] == cli["os"] and parsed["kernel"]["release"] == cli["kernel"]["release"]
    # No NVIDIA tools here: said in the evidence, not a crash.
    assert manifest["nvidia-smi-q.txt"]["exit_code"] == 127
    assert (out / "nvidia-smi-q.txt").read_text() == "nvidia-smi: not found\n"
    assert manifest["proc-driver-nvidia"]["copied"] == []
    assert (out / "vector-add.txt").read_text().startswith("not packed: ")
    # verify ran against a state made of what was found (here: nothing NVIDIA).
    assert manifest["verify.txt"]["exit_code"] == 0
    assert json.loads((out / "verify-report.json").read_text())["failed"] is False
