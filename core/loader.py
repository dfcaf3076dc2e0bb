"""YAML → validated model, with every problem located as ``file:line:col``.

Parsing uses libyaml when present. The node tree is kept so that pydantic error locations and
cross-field checks can be mapped back to the line and column an author has to edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from anbiao.core.errors import ChecklistValidationError, Problem

if TYPE_CHECKING:
    _Loader = yaml.SafeLoader
else:  # libyaml's loader when PyYAML was built with it; same interface
    _Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path = tuple[str | int, ...]
T = TypeVar("T")


class _StrictLoader(_Loader):
    """Safe loader that rejects duplicate mapping keys (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                )
            seen.add(key_node.value)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


@dataclass(slots=True)
class Located:
    """Parsed YAML data and the node tree, to find where a mapping key or sequence entry starts.

    Positions are computed only when a problem has to be reported.
    """

    file: str
    data: Any
    node: yaml.Node | None = None
    _positions: dict[Path, tuple[int, int]] | None = None

    @property
    def positions(self) -> dict[Path, tuple[int, int]]:
        if self._positions is None:
            self._positions = {(): (1, 1)}
            if self.node is not None:
                _walk(self.node, (), self._positions)
        return self._positions

    def position(self, path: Path) -> tuple[int, int]:
        """Line and column of the deepest part of ``path`` that exists in the document.

        Parts that are not in the data (pydantic's union tags, validator names) are skipped.
        """
        positions = self.positions
        best = positions[()]
        node: Any = self.data
        resolved: Path = ()
        for part in path:
            present = (isinstance(node, Mapping) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            )
            if not present:
                continue
            node = node[part]
            resolved = (*resolved, part)
            best = positions.get(resolved, best)
        return best

    def problem(self, path: Path, message: str, severity: str = "error") -> Problem:
        line, column = self.position(path)
        return Problem(self.file, line, column, message, severity)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(node: yaml.Node, path: Path, positions: dict[Path, tuple[int, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            positions[(*path, key_node.value)] = _mark(key_node)
            _walk(value_node, (*path, key_node.value), positions)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            positions[(*path, index)] = _mark(child)
            _walk(child, (*path, index), positions)


def parse_yaml(text: str, file: str) -> Located:
    """Parse one YAML document; syntax errors and duplicate keys raise with their position."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = str(exc.problem or exc.context)
        message = what if what.startswith("duplicate key") else f"YAML syntax: {what}"
        raise ChecklistValidationError([Problem(file, line, column, message)]) from None
    finally:
        loader.dispose()
    return Located(file, data, node)


def _message(error: Mapping[str, Any]) -> str:
    loc = [str(p) for p in error["loc"] if not str(p).startswith("function-")]
    name = loc[-1] if loc else "document"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown field '{name}'"
    if kind == "missing":
        return f"missing required field '{name}'"
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        return (
            f"{ctx.get('discriminator', 'kind').strip(chr(39))}: '{ctx.get('tag')}' is not one "
            f"of {ctx.get('expected_tags')}"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{'.'.join(loc) or 'document'}: {message}"


def _path(error: Mapping[str, Any]) -> Path:
    """Where to point: a wrong union tag points at the tag field itself."""
    loc = tuple(error["loc"])
    if error["type"] == "union_tag_invalid":
        return (*loc, str(error.get("ctx", {}).get("discriminator", "kind")).strip("'"))
    return loc


def validate(located: Located, adapter: TypeAdapter[T]) -> T:
    """Validate parsed data; every pydantic error becomes a located :class:`Problem`."""
    try:
        return adapter.validate_python(located.data)
    except ValidationError as exc:
        problems = [located.problem(_path(e), _message(e)) for e in exc.errors()]
        raise ChecklistValidationError(problems) from None


def load_yaml(text: str, file: str, adapter: TypeAdapter[T]) -> tuple[T, Located]:
    """Parse and validate; returns the model and the located data for further checks."""
    located = parse_yaml(text, file)
    return validate(located, adapter), located
