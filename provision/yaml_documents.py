"""Reading YAML documents from user files, with errors that name the file and line.

A file is read only when it is a regular file of at most MAX_INPUT_BYTES: a FIFO or a
device would block the read or never end it. A document is checked against the limits of
`input_limits` once composed and before it is built (nesting depth, nodes added by
aliases, an alias inside what it names, integer length), so no YAML text can overflow the
stack, expand to billions of nodes or make an integer Python cannot print. A key repeated
in one mapping is an error, where YAML loaders silently keep the last value.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from provision.errors import InputError
from provision.input_limits import (
    MAX_ALIAS_NODES,
    MAX_INPUT_BYTES,
    MAX_INTEGER_DIGITS,
    MAX_NESTING_DEPTH,
)

_READ_CHUNK = 1 << 20
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"


def read_bytes(path: Path) -> bytes:
    """Read regular file `path` whole; anything else, or a file too large, is an InputError.

    The type is checked before opening (opening a FIFO would wait for a writer) and again
    on the open descriptor, opened non-blocking, in case the path changed in between."""
    try:
        _check_file_type(path, os.stat(path).st_mode)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    try:
        _check_file_type(path, os.fstat(descriptor).st_mode)
        return _read_bounded(path, descriptor)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    finally:
        os.close(descriptor)


def is_special_file(path: Path) -> bool:
    """Whether `path` exists but is not a regular file (a FIFO, a device): opening it could
    block for ever. A missing file is not special (validate may run where keys are not)."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _check_file_type(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a folder, expected a file")
    if not stat.S_ISREG(mode):
        raise InputError(
            f"{path}: not a regular file (a FIFO, socket or device), which provision never reads"
        )


def _read_bounded(path: Path, descriptor: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := os.read(descriptor, _READ_CHUNK):
        size += len(chunk)
        if size > MAX_INPUT_BYTES:
            raise InputError(
                f"{path}: larger than {MAX_INPUT_BYTES} bytes, the most provision reads"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def read_text(path: Path) -> str:
    """Read a UTF-8 file; a missing, unreadable or undecodable file is an InputError."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start})") from None


def load_yaml_file(path: Path) -> Any:
    """Parse one YAML document from `path`; a missing file or bad YAML is an InputError."""
    return parse_yaml_text(read_text(path), str(path))


class _YamlLimitError(Exception):
    """A composed document past a limit of `input_limits`, at `mark`."""

    def __init__(self, mark: Any, problem: str) -> None:
        super().__init__(problem)
        self.mark = mark
        self.problem = problem


class SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, composing no deeper than MAX_NESTING_DEPTH (its composer
    recurses once per level) and refusing a key repeated in one mapping."""

    _open_collections = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
        if self._open_collections >= MAX_NESTING_DEPTH and self.check_event(*starts):
            raise _YamlLimitError(self.peek_event().start_mark, _too_deep())  # type: ignore[no-untyped-call]
        self._open_collections += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._open_collections -= 1


class FastSafeLoader(getattr(yaml, "CSafeLoader", SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's parser (several times faster), where PyYAML was built with it;
    libyaml composes without recursion, and the composed document is checked after."""


def unique_mapping_items(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Iterator[Any]:
    """(key, value, line) of each entry of mapping `node`, merged entries (`<<`) first.

    A key written twice in the mapping itself is an error (a merged key may be overridden:
    that is what merging is for); so is a key that is not hashable."""
    explicit = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
    loader.flatten_mapping(node)
    first_explicit = len(node.value) - explicit
    explicit_lines: dict[Any, int] = {}
    for position, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found an unhashable key",
                key_node.start_mark,
            ) from None
        line = key_node.start_mark.line + 1
        if position >= first_explicit:
            if key in explicit_lines:
                _refuse_duplicate(node, key_node, key, explicit_lines[key])
            explicit_lines[key] = line
        yield key, loader.construct_object(value_node, deep=True), line


def _refuse_duplicate(node: yaml.Node, key_node: yaml.Node, key: Any, first_line: int) -> None:
    """Ansible warns and keeps the last value; a repeated key is nearly always a mistake."""
    raise yaml.constructor.ConstructorError(
        "while constructing a mapping",
        node.start_mark,
        f"duplicate key {key!r} (first set on line {first_line})",
        key_node.start_mark,
    )


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    return {key: value for key, value, _line in unique_mapping_items(loader, node)}


for _loader in (SafeLoader, FastSafeLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml_text(
    text: str,
    source: str,
    loader: type[Any] = SafeLoader,
    fast_loader: type[Any] | None = FastSafeLoader,
) -> Any:
    """Parse YAML `text` with a safe `loader`; errors read `source:line:column: problem`.

    `fast_loader` (libyaml's, where available) parses first; on an error `loader` parses
    again, since PyYAML's own messages and positions are the more precise ones. Either way
    the composed document must pass `check_document` before it is built."""
    if fast_loader is not None:
        try:
            return _load(fast_loader, text, source)
        except (yaml.YAMLError, RecursionError):
            pass
    try:
        return _load(loader, text, source)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "malformed YAML"
        raise InputError(f"{_where(source, mark)}: malformed YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise InputError(f"{source}: malformed YAML: {error}") from None
    except RecursionError:
        raise InputError(f"{source}: malformed YAML: {_too_deep()}") from None


def _load(loader_class: type[Any], text: str, source: str) -> Any:
    loader = loader_class(text)
    try:
        try:
            node = loader.get_single_node()
        except _YamlLimitError as error:
            raise InputError(f"{_where(source, error.mark)}: {error.problem}") from None
        if node is None:
            return None
        check_document(node, source)
        try:
            return loader.construct_document(node)
        except (ValueError, TypeError, OverflowError) as error:
            raise InputError(f"{source}: malformed YAML: {error}") from None
    finally:
        loader.dispose()


def check_document(root: yaml.Node, source: str) -> None:
    """Refuse a composed document past a limit, naming the line of the node at fault.

    Walks the node graph once, iteratively: an alias is a second edge to a node already
    seen, which counts as a copy of everything below it."""
    heights: dict[int, int] = {}
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    added = 0
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    while pending:
        node, closing = pending.pop()
        key = id(node)
        if closing:
            _close(node, heights, sizes)
            open_nodes.discard(key)
            continue
        if key in sizes:
            added += sizes[key]
            if added > MAX_ALIAS_NODES:
                raise _limit(
                    source, node, f"aliases of this node add more than {MAX_ALIAS_NODES} nodes"
                )
            continue
        if key in open_nodes:
            raise _limit(source, node, "an alias refers to a node that contains it")
        _check_scalar(node, source)
        open_nodes.add(key)
        pending.append((node, True))
        pending.extend((child, False) for child in _children(node))
    if heights[id(root)] > MAX_NESTING_DEPTH:
        raise _limit(source, _too_deep_node(root, heights), _too_deep())


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _close(node: yaml.Node, heights: dict[int, int], sizes: dict[int, int]) -> None:
    """Record the height (collections nested, itself included) and expanded size of a node
    whose children are all recorded."""
    children = _children(node)
    below = max((heights[id(child)] for child in children), default=0)
    heights[id(node)] = below + 1 if isinstance(node, yaml.CollectionNode) else 0
    sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)


def _too_deep_node(root: yaml.Node, heights: dict[int, int]) -> yaml.Node:
    """The first collection past the depth limit on the deepest path from `root`."""
    node = root
    for _level in range(MAX_NESTING_DEPTH):
        node = max(_children(node), key=lambda child: heights[id(child)])
    return node


def _check_scalar(node: yaml.Node, source: str) -> None:
    if node.tag == _INT_TAG and len(node.value) > MAX_INTEGER_DIGITS:
        raise _limit(source, node, f"an integer of more than {MAX_INTEGER_DIGITS} digits")


def _too_deep() -> str:
    return f"nested more than {MAX_NESTING_DEPTH} levels deep"


def _limit(source: str, node: yaml.Node, problem: str) -> InputError:
    return InputError(f"{_where(source, node.start_mark)}: {problem}")


def _where(source: str, mark: Any) -> str:
    return f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
