"""Reading YAML documents from user files, with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from provision.errors import InputError


def read_text(path: Path) -> str:
    """Read a UTF-8 file; a missing, unreadable or undecodable file is an InputError."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a file") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None


def load_yaml_file(path: Path) -> Any:
    """Parse one YAML document from `path`; a missing file or bad YAML is an InputError."""
    return parse_yaml_text(read_text(path), str(path))


_FAST_LOADER: type[Any] | None = getattr(yaml, "CSafeLoader", None)
"""libyaml's safe loader where PyYAML was built with it: several times faster."""


def parse_yaml_text(
    text: str,
    source: str,
    loader: type[Any] = yaml.SafeLoader,
    fast_loader: type[Any] | None = _FAST_LOADER,
) -> Any:
    """Parse YAML `text` with a safe `loader`; errors read `source:line:column: problem`.

    `fast_loader` (libyaml's, where available) parses first; on an error `loader` parses
    again, since PyYAML's own messages and positions are the more precise ones."""
    if fast_loader is not None:
        try:
            return yaml.load(text, Loader=fast_loader)
        except yaml.YAMLError:
            pass
    try:
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = error.problem or error.context or "malformed YAML"
        raise InputError(f"{where}: malformed YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise InputError(f"{source}: malformed YAML: {error}") from None
