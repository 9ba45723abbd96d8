"""`python -m bench`: parse the options, run the benchmark, print and write the results."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.errors import BenchError
from bench.rendering import console_table, markdown_report
from bench.results import report_document
from bench.run import Settings, run_benchmark, say
from bench.tools import TOOL_NAMES, load_tool

REPOSITORY = Path(__file__).resolve().parents[1]
MAX_HOSTS = 99
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def host_counts(text: str) -> list[int]:
    """`--hosts 1,5,20` as [1, 5, 20]: distinct counts of 1 to 99 hosts."""
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of numbers: {text!r}"
        ) from None
    if not counts or any(not 1 <= count <= MAX_HOSTS for count in counts):
        raise argparse.ArgumentTypeError(f"host counts must be 1 to {MAX_HOSTS}: {text!r}")
    return list(dict.fromkeys(counts))


def tool_names(text: str) -> list[str]:
    """`--tools provision,floor` as a list of known tool names."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in TOOL_NAMES]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown tool(s) {', '.join(unknown) or '(none given)'}; "
            f"known: {', '.join(TOOL_NAMES)}"
        )
    return list(dict.fromkeys(names))


def positive(text: str) -> int:
    """A run count of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1: {text!r}")
    return int(text)


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m bench`."""
    options = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark provision against Ansible, pyinfra and a bare Fabric floor "
        "on fresh sandbox lab hosts.",
    )
    options.add_argument("--hosts", type=host_counts, default=[1, 5, 20], help="default 1,5,20")
    options.add_argument(
        "--tools", type=tool_names, default=list(TOOL_NAMES), help="default: all of them"
    )
    options.add_argument("--noop-runs", type=positive, default=3, help="default 3")
    options.add_argument("--startup-runs", type=positive, default=5, help="default 5")
    options.add_argument("--lab-dir", type=Path, default=Path(".bench/lab"))
    options.add_argument("--venvs", type=Path, default=Path(".bench/venvs"))
    options.add_argument("--work-dir", type=Path, default=Path(".bench/work"), help="logs")
    options.add_argument("--out", type=Path, default=Path("bench/results"))
    return options


def write_results(document: dict[str, object], out: Path) -> tuple[Path, Path]:
    """Write `<out>/<date>.json` and `<out>/<date>.md`; return both paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / f"{document['date']}.json"
    markdown_path = out / f"{document['date']}.md"
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    markdown_path.write_text(markdown_report(document))
    return json_path, markdown_path


def main(arguments: list[str] | None = None) -> int:
    """Run the benchmark; exit 0 when every invocation succeeded, 1 when one failed."""
    options = parser().parse_args(arguments)
    if options.lab_dir.absolute() == (REPOSITORY / ".lab").absolute():
        say(f"--lab-dir {options.lab_dir}: the lab dir is taken down and up; use one of its own")
        return EXIT_USAGE
    settings = Settings(
        hosts=options.hosts, tools=options.tools, noop_runs=options.noop_runs,
        startup_runs=options.startup_runs, repository=REPOSITORY,
        lab_dir=options.lab_dir.absolute(), venvs=options.venvs.absolute(),
        work=options.work_dir.absolute(), out=options.out.absolute(),
    )  # fmt: skip
    try:
        tools = [load_tool(name, REPOSITORY) for name in settings.tools]
        report = run_benchmark(settings, tools)
    except BenchError as error:
        say(str(error).removeprefix("bench: "))
        return EXIT_FAILED
    document = report_document(report)
    print(console_table(document["runs"]))
    json_path, markdown_path = write_results(document, settings.out)
    say(f"results in {json_path} and {markdown_path}")
    failed = bool(report.settings["errors"]) or any(
        entry["failed_runs"] for entry in document["runs"]
    )
    return EXIT_FAILED if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
