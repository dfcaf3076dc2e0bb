"""YAML → validated model, with every problem located as ``file:line:col``.

Parsing uses libyaml when present. The node tree is kept so that pydantic error locations and
cross-field checks can be mapped back to the line and column an author has to edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from anbiao.core.errors import ChecklistValidationError, Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path = tuple[str | int, ...]
T = TypeVar("T")


@dataclass(slots=True)
class Located:
    """Parsed YAML data and where each mapping key / sequence entry starts."""

    file: str
    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path) -> tuple[int, int]:
        """Line and column of the deepest part of ``path`` that exists in the document.

        Parts that are not in the data (pydantic's union tags, validator names) are skipped.
        """
        best = self.positions.get((), (1, 1))
        node: Any = self.data
        resolved: Path = ()
        for part in path:
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                continue
            resolved = (*resolved, part)
            best = self.positions.get(resolved, best)
        return best

    def problem(self, path: Path, message: str, severity: str = "error") -> Problem:
        line, column = self.position(path)
        return Problem(self.file, line, column, message, severity)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(node: yaml.Node, path: Path, located: Located, problems: list[Problem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                line, column = _mark(key_node)
                problems.append(Problem(located.file, line, column, f"duplicate key '{key}'"))
            seen.add(key)
            located.positions[(*path, key)] = _mark(key_node)
            _walk(value_node, (*path, key), located, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            located.positions[(*path, index)] = _mark(child)
            _walk(child, (*path, index), located, problems)


def parse_yaml(text: str, file: str) -> Located:
    """Parse one YAML document; syntax errors and duplicate keys raise with their position."""
    located = Located(file, None, {(): (1, 1)})
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            problems: list[Problem] = []
            _walk(node, (), located, problems)
            if problems:
                raise ChecklistValidationError(problems)
            located.data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax: {exc.problem or exc.context}"
        raise ChecklistValidationError([Problem(file, line, column, message)]) from None
    finally:
        loader.dispose()
    return located


def _message(error: Mapping[str, Any]) -> str:
    loc = [str(p) for p in error["loc"] if not str(p).startswith("function-")]
    name = loc[-1] if loc else "document"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown field '{name}'"
    if kind == "missing":
        return f"missing required field '{name}'"
    if kind == "union_tag_invalid":
        return f"'{name}': {error['msg']}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{'.'.join(loc) or 'document'}: {message}"


def validate(located: Located, adapter: TypeAdapter[T]) -> T:
    """Validate parsed data; every pydantic error becomes a located :class:`Problem`."""
    try:
        return adapter.validate_python(located.data)
    except ValidationError as exc:
        problems = [located.problem(tuple(e["loc"]), _message(e)) for e in exc.errors()]
        raise ChecklistValidationError(problems) from None


def load_yaml(text: str, file: str, adapter: TypeAdapter[T]) -> tuple[T, Located]:
    """Parse and validate; returns the model and the located data for further checks."""
    located = parse_yaml(text, file)
    return validate(located, adapter), located
