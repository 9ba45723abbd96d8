"""Checks that ship a program to the host and run it: the PyTorch smoke test, the
libtorch example compiled with CMake against the host's libtorch, and a CUDA program
compiled and linked with each toolkit's nvcc."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from provision import shell
from provision.check import SMOKE_PATH
from provision.verify.host_checks import (
    CheckFailed,
    CheckSkipped,
    HostUnderTest,
    prepare_root_folder,
    require_trusted,
)
from provision.verify.smoke_judgement import (
    NoGpuSkip,
    SmokeDocumentError,
    build_problems,
    gpu_problems,
    gpu_summary,
    parse_smoke_output,
)

SMOKE_TIMEOUT_S = 300.0
BUILD_TIMEOUT_S = 900.0
CUDA_PROGRAM = "vector_add.cu"
CUDA_RUN_TIMEOUT_S = 120.0
_CUDA_ERROR = re.compile(r"^cuda error: (cudaError\w+): (.*)$", re.MULTILINE)
_CUDA_PASSED = re.compile(r"^vector add: \d+ sums right on .+$", re.MULTILINE)
NO_GPU_ERRORS = {
    "cudaErrorNoDevice": "no CUDA-capable device",
    "cudaErrorInsufficientDriver": "driver insufficient",
}
"""CUDA's errors for a host that has no usable GPU (none, or no driver new enough for the
toolkit's runtime), with the reason verify reports."""
_TENSOR_TYPE = re.compile(r"^\[ (\w+)\{2,3\} \]$")
_NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"
_ROW = re.compile(rf"^\s*{_NUMBER}\s+{_NUMBER}\s+{_NUMBER}\s*$")


def _smoke_document(target: HostUnderTest, python: str) -> dict[str, Any]:
    """The smoke test's document from `python`, run once per host and python."""
    key = f"smoke:{python}"
    if key not in target.cache:
        require_trusted(target, python.rsplit("/bin/", 1)[0])
        prepare_root_folder(target, SMOKE_PATH)
        script = resources.files("provision.verify").joinpath("smoke.py").read_bytes()
        target.connection.upload(script, f"{SMOKE_PATH}/smoke.py", mode=0o644)
        result = target.run(shell.command(python, f"{SMOKE_PATH}/smoke.py"), SMOKE_TIMEOUT_S)
        try:
            target.cache[key] = parse_smoke_output(result.stdout)
        except SmokeDocumentError as error:
            target.cache[key] = error
    found = target.cache[key]
    if isinstance(found, SmokeDocumentError):
        raise CheckFailed(f"{python} {SMOKE_PATH}/smoke.py: {found}")
    return found  # type: ignore[no-any-return]


def smoke_build(target: HostUnderTest, parameters: dict[str, str]) -> str:
    """The env's torch is the desired release, CUDA build and cuDNN."""
    document = _smoke_document(target, parameters["python"])
    problems = build_problems(
        document, parameters["version"], parameters["variant"], parameters["cudnn"]
    )
    if problems:
        raise CheckFailed("; ".join(problems))
    return f"torch {document['torch']}, cuda {document['cuda']}, cudnn {document['cudnn']}"


def smoke_gpu(target: HostUnderTest, parameters: dict[str, str]) -> str:
    """CUDA is available and matmul and conv2d on every GPU agree with the CPU."""
    document = _smoke_document(target, parameters["python"])
    try:
        problems = gpu_problems(document, parameters["require_gpu"] == "yes")
    except NoGpuSkip as skip:
        raise CheckSkipped(str(skip)) from None
    if problems:
        raise CheckFailed("; ".join(problems))
    return gpu_summary(document)


def parse_tensor_output(text: str) -> list[list[float]]:
    """The 2x3 tensor the libtorch example prints (two rows of three, then its type)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 3 or not _TENSOR_TYPE.match(lines[-1].strip()):
        raise ValueError(f"expected a 2x3 tensor, got {text.strip()[:200]!r}")
    rows = lines[-3:-1]
    if not all(_ROW.match(row) for row in rows):
        raise ValueError(f"expected two rows of three numbers, got {rows!r}")
    return [[float(value) for value in row.split()] for row in rows]


def _upload_template(
    target: HostUnderTest, template: str, names: tuple[str, ...], workdir: str
) -> None:
    """Put the files `names` of `provision/templates/<template>` in root's own `workdir`."""
    prepare_root_folder(target, workdir)
    folder = resources.files("provision").joinpath("templates", template)
    for name in names:
        target.connection.upload(folder.joinpath(name).read_bytes(), f"{workdir}/{name}")


def libtorch_build(target: HostUnderTest, parameters: dict[str, str]) -> str:
    """The notes' example configures, builds and runs against libtorch."""
    workdir, libtorch = parameters["workdir"], parameters["path"]
    require_trusted(target, libtorch)
    _upload_template(target, "libtorch-example", ("CMakeLists.txt", "example-app.cpp"), workdir)
    build = f"{workdir}/build"
    steps = " && ".join([
        shell.command("rm", "-rf", build),
        shell.command("cmake", "-S", workdir, "-B", build, f"-DCMAKE_PREFIX_PATH={libtorch}",
                      "-DCMAKE_BUILD_TYPE=Release"),
        shell.command("cmake", "--build", build, "--parallel"),
        shell.command(f"{build}/example-app"),
    ])  # fmt: skip
    result = target.run(f"{steps} 2>&1", BUILD_TIMEOUT_S)
    if result.rc != 0:
        raise CheckFailed(f"building the example against {libtorch} failed: "
                          f"{result.stdout.strip()[-600:]}")  # fmt: skip
    try:
        rows = parse_tensor_output(result.stdout)
    except ValueError as error:
        raise CheckFailed(f"the example built but printed no tensor: {error}") from None
    return f"printed a 2x3 tensor, first row {rows[0]}"


def _cuda_program_enabled(parameters: dict[str, str]) -> None:
    if parameters["enabled"] != "yes":
        raise CheckSkipped(f"program_check is off for CUDA {parameters['release']}")


def cuda_program_build(target: HostUnderTest, parameters: dict[str, str]) -> str:
    """The toolkit's nvcc compiles and links the vector add (with its own cudart)."""
    _cuda_program_enabled(parameters)
    toolkit, workdir = parameters["path"], parameters["workdir"]
    require_trusted(target, toolkit)
    _upload_template(target, "cuda-program", (CUDA_PROGRAM,), workdir)
    program = f"{workdir}/vector_add"
    steps = " && ".join([
        shell.command("rm", "-f", program),
        shell.command(f"{toolkit}/bin/nvcc", "-o", program, f"{workdir}/{CUDA_PROGRAM}"),
    ])  # fmt: skip
    result = target.run(f"{steps} 2>&1", BUILD_TIMEOUT_S)
    if result.rc != 0:
        raise CheckFailed(f"{toolkit}/bin/nvcc could not build {CUDA_PROGRAM} (exit "
                          f"{result.rc}): {result.stdout.strip()[-600:]}")  # fmt: skip
    return f"built {program}"


def judge_cuda_program(rc: int, output: str, require_gpu: bool) -> str:
    """The note of a vector add that ran right; raises `CheckSkipped` where CUDA found no
    usable GPU and the state allows that, `CheckFailed` otherwise."""
    error = _CUDA_ERROR.search(output)
    if error is not None and error[1] in NO_GPU_ERRORS:
        reason = f"{NO_GPU_ERRORS[error[1]]} ({error[1]}: {error[2].strip()})"
        if not require_gpu:
            raise CheckSkipped(reason)
        raise CheckFailed(f"the vector add cannot run: {reason}")
    passed = _CUDA_PASSED.search(output)
    if rc != 0 or passed is None:
        found = output.strip()[-400:] or "no output"
        raise CheckFailed(f"the vector add failed (exit {rc}): {found}")
    return passed[0]


def cuda_program_run(target: HostUnderTest, parameters: dict[str, str]) -> str:
    """The vector add built by `cuda_program_build` runs and its sums are right."""
    _cuda_program_enabled(parameters)
    program = f"{parameters['workdir']}/vector_add"
    result = target.run(f"{shell.command(program)} 2>&1", CUDA_RUN_TIMEOUT_S)
    return judge_cuda_program(result.rc, result.stdout, parameters["require_gpu"] == "yes")
