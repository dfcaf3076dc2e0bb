"""Checklist test cases: ``cases/*.yaml`` in a pack — a profile, answers and the expected result."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from importlib.resources.abc import Traversable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from anbiao.core.engine import Engine
from anbiao.core.errors import AnbiaoError, ChecklistValidationError
from anbiao.core.loader import load_yaml
from anbiao.core.models.answers import AnswerSheet
from anbiao.core.models.profile import Profile


class Expected(BaseModel):
    """What scoring must give; unset fields are not checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    earned: int | None = None
    applicable: int | None = None
    percentage: Decimal | None = None
    vetoes: tuple[str, ...] | None = Field(default=None, description="Failed veto items.")
    passed: bool | None = None
    band: str | None = Field(default=None, description="Band id reached; 'none' for none.")
    eligible: bool | None = None
    items: int | None = Field(default=None, description="Number of composed items.")
    packs: tuple[str, ...] | None = Field(default=None, description="Ids of composed packs.")


class Case(BaseModel):
    """One hand-computed case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    profile: Profile
    answers: AnswerSheet
    expect: Expected


CASE_ADAPTER: TypeAdapter[Case] = TypeAdapter(Case)


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    file: str
    title: str
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def load_case(source: Traversable) -> Case:
    return load_yaml(source.read_text(encoding="utf-8"), str(source), CASE_ADAPTER)[0]


def run_case(engine: Engine, source: Traversable) -> CaseOutcome:
    """Load and run one case; returns what differs from the expectation."""
    try:
        case = load_case(source)
    except ChecklistValidationError as exc:
        return CaseOutcome(str(source), "?", tuple(str(p) for p in exc.problems))
    try:
        composed = engine.compose(case.profile)
        result = engine.score(composed, case.answers, case.profile)
    except AnbiaoError as exc:
        return CaseOutcome(str(source), case.title, (f"{type(exc).__name__}: {exc}",))
    actual: dict[str, Any] = {
        "earned": result.earned,
        "applicable": result.applicable,
        "percentage": result.percentage,
        "vetoes": tuple(result.vetoes),
        "passed": result.passed,
        "band": result.band.id if result.band else "none",
        "eligible": result.eligible,
        "items": result.total_items,
        "packs": tuple(p.id for p in composed.packs),
    }
    failures = []
    for key, want in case.expect:
        if want is None:
            continue
        got = actual[key]
        if key in ("vetoes", "packs"):
            got, want = tuple(sorted(got)), tuple(sorted(want))
        if got != want:
            failures.append(f"{key}: expected {want}, got {got}")
    return CaseOutcome(str(source), case.title, tuple(failures))


def run_all(engine: Engine, pack_ids: list[str] | None = None) -> list[CaseOutcome]:
    """Run the cases of the given packs (default: every pack in the catalog)."""
    outcomes: list[CaseOutcome] = []
    for pack_id, entry in engine.catalog.packs.items():
        if pack_ids and pack_id not in pack_ids:
            continue
        outcomes.extend(run_case(engine, source) for source in entry.cases())
    return outcomes


__all__ = ["Case", "CaseOutcome", "Expected", "load_case", "run_all", "run_case"]
