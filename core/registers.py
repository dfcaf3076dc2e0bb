"""Load registers (``industry_checklists/_registers/*.yaml``); problems at ``file:line:col``."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from pydantic import TypeAdapter

from anbiao.core.errors import ChecklistValidationError, Problem
from anbiao.core.loader import Located, load_yaml
from anbiao.core.models.register import Register, clause_key

REGISTER_ADAPTER: TypeAdapter[Register] = TypeAdapter(Register)
REGISTERS_DIR = "_registers"


def _cross_checks(register: Register, located: Located) -> list[Problem]:
    """Unique clauses in order, one pack per article, Art. 14's articles registered."""
    problems: list[Problem] = []
    seen: set[str] = set()
    pack_of: dict[int, str | None] = {}
    previous = (0, 0)
    for index, criterion in enumerate(register.criteria):
        here = ("criteria", index, "clause")
        key = clause_key(criterion.clause)
        if criterion.clause in seen:
            problems.append(located.problem(here, f"duplicate clause '{criterion.clause}'"))
        elif key < previous:
            problems.append(located.problem(here, f"'{criterion.clause}' is out of order"))
        seen.add(criterion.clause)
        previous = max(previous, key)
        expected = pack_of.setdefault(criterion.article, criterion.pack)
        if criterion.pack != expected:
            problems.append(
                located.problem(
                    ("criteria", index, "pack"),
                    f"article {criterion.article} binds pack '{expected}', not '{criterion.pack}'",
                )
            )
    if (rule := register.protective_devices) is not None:
        if rule.clause not in seen:
            problems.append(
                located.problem(
                    ("protective_devices", "clause"), f"'{rule.clause}' is not a registered clause"
                )
            )
        for index, article in enumerate(rule.articles):
            if pack_of.get(article) is None:
                problems.append(
                    located.problem(
                        ("protective_devices", "articles", index),
                        f"article {article} has no registered criterion with a pack",
                    )
                )
    return problems


def load_register(text: str, file: str) -> Register:
    """Parse and validate one register; raises :class:`ChecklistValidationError` with locations."""
    register, located = load_yaml(text, file, REGISTER_ADAPTER)
    if problems := _cross_checks(register, located):
        raise ChecklistValidationError(problems)
    return register


def register_files(folder: Traversable | None = None) -> list[Traversable]:
    """The register files of the bundled packs (or of ``folder``), sorted by name."""
    root = folder or files("anbiao.industry_checklists") / REGISTERS_DIR
    if not root.is_dir():
        return []
    return sorted((f for f in root.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


@cache
def bundled_registers() -> tuple[Register, ...]:
    """Every bundled register, validated (cached: the files ship with the package)."""
    return tuple(load_register(f.read_text(encoding="utf-8"), str(f)) for f in register_files())


def register_for(code: str | None) -> Register | None:
    """The bundled register of the order with this official number, if any."""
    return next((r for r in bundled_registers() if code and r.code == code), None)
