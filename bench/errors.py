"""The harness's own error: a step of the benchmark that could not be done."""

from __future__ import annotations


class BenchError(RuntimeError):
    """A benchmark step failed (a venv, the lab, a tool's setup); the message says which."""
