"""Results of scoring: every point traceable to an item and its deductions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any, NamedTuple

from anbiao.core.errors import Message
from anbiao.core.models.answers import Status
from anbiao.core.models.checklist import GradeBand


def percentage(earned: int, applicable: int, decimals: int = 1) -> Decimal:
    """earned ÷ applicable × 100, rounded half up; 0 when nothing is applicable."""
    if applicable <= 0:
        return Decimal(0).quantize(Decimal(1).scaleb(-decimals))
    exact = Decimal(earned) * 100 / Decimal(applicable)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def points_needed(target: float, applicable: int, decimals: int) -> int:
    """The fewest earned points whose rounded percentage reaches ``target``."""
    low, high = 0, applicable
    goal = Decimal(str(target))
    if percentage(high, applicable, decimals) < goal:
        return applicable + 1  # unreachable
    while low < high:
        mid = (low + high) // 2
        if percentage(mid, applicable, decimals) >= goal:
            high = mid
        else:
            low = mid + 1
    return low


class DeductionApplied(NamedTuple):
    """A chosen deduction: how often, and the points it took in total."""

    id: str
    times: int
    points: int  # total points of this deduction (times × points each)


class ItemScore(NamedTuple):
    """One item's score; ``status`` None means unanswered (counts as 0 earned)."""

    item_id: str
    element: str
    status: Status | None
    max_score: int
    earned: int
    deductions: tuple[DeductionApplied, ...] = ()
    note: str | None = None

    @property
    def applicable(self) -> bool:
        return self.status is not Status.na

    @property
    def failed(self) -> bool:
        return self.status in (Status.partial, Status.non_compliant)

    @property
    def recoverable(self) -> int:
        return self.max_score - self.earned if self.applicable else 0


class ElementScore(NamedTuple):
    """Earned and applicable points of one element (一级 or 二级)."""

    code: str
    earned: int
    applicable: int
    decimals: int = 1

    @property
    def percentage(self) -> Decimal:
        return percentage(self.earned, self.applicable, self.decimals)


class HazardLevel(StrEnum):
    general = "general"  # 一般事故隐患
    major = "major"  # 重大事故隐患


@dataclass(frozen=True, slots=True)
class HazardFinding:
    """A hazard (隐患) raised by a failed item; major when veto, major-hazard or device-linked."""

    item_id: str
    level: HazardLevel
    basis: tuple[str, ...]  # rendered references, e.g. "应急管理部令第10号 第十一条(三)"
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Improvement:
    """ "What raises my grade": the smallest set of failed items reaching ``target``."""

    target: GradeBand
    points_needed: int
    items: tuple[str, ...]  # fix these (vetoes first, then by recoverable points)
    reachable: bool


@dataclass(frozen=True, slots=True)
class Ineligibility:
    """Why an assessment may not apply: ``code`` with its ``params`` (``coded``: the message
    services render in the user's language); ``message`` is the bilingual text of reports."""

    code: str  # incomplete | below_threshold | veto | deaths | serious_injuries | direct_loss
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def coded(self) -> Message:
        return Message(f"eligibility.{self.code}", self.params)


@dataclass(frozen=True, slots=True)
class Trace:
    """Per-item outcome in composition order, from which ``AssessmentResult.items`` is built."""

    ids: tuple[str, ...]
    elements: tuple[str, ...]
    max_scores: tuple[int, ...]
    statuses: tuple[Status | None, ...]
    earned: tuple[int, ...]
    failed: dict[str, ItemScore]  # partial and non-compliant items, with deductions and notes
    notes: dict[str, str]  # notes of the other items


@dataclass(frozen=True)
class AssessmentResult:
    """Totals are computed while scoring; the per-item trace, element scores, hazards, ranking and
    improvement plan are derived from them on first access (pay for what you read)."""

    fingerprint: str
    earned: int
    applicable: int
    full_marks: int  # points of every composed item, N/A included
    percentage: Decimal
    answered: int
    total_items: int
    vetoes: tuple[str, ...]
    band: GradeBand | None  # highest band reached by the percentage
    passed: bool  # band reached and no veto
    ineligible: tuple[Ineligibility, ...]
    trace: Trace
    totals: tuple[tuple[str, int, int], ...]  # (element code, earned, applicable), tree order
    decimals: int
    bands: tuple[GradeBand, ...] = field(repr=False)
    hazard_rules: Mapping[str, tuple[HazardLevel, tuple[str, ...]]] = field(
        repr=False, compare=False
    )  # item id → level and rendered basis

    @cached_property
    def elements(self) -> tuple[ElementScore, ...]:
        return tuple(ElementScore(c, e, a, self.decimals) for c, e, a in self.totals if a or e)

    @cached_property
    def hazards(self) -> tuple[HazardFinding, ...]:
        """One hazard (隐患) per failed item; major when veto, major-hazard or device-linked."""
        rules = self.hazard_rules
        return tuple(
            HazardFinding(s.item_id, *rules[s.item_id], s.note) for s in self.trace.failed.values()
        )

    @cached_property
    def ranked(self) -> tuple[ItemScore, ...]:
        """Failed items by recoverable points, most first (ties in checklist order)."""
        return tuple(sorted(self.trace.failed.values(), key=lambda s: s.earned - s.max_score))

    @cached_property
    def improvement(self) -> Improvement | None:
        """ "What raises my grade": the smallest set of failed items reaching the next band."""
        return plan_improvement(
            self.bands,
            self.band,
            self.vetoes,
            self.ranked,
            self.earned,
            self.applicable,
            self.decimals,
        )

    @cached_property
    def items(self) -> tuple[ItemScore, ...]:
        """Every item's score, in composition order: each point traceable to its deductions."""
        t = self.trace
        failed, notes = t.failed, t.notes
        return tuple(
            failed.get(i) or ItemScore(i, e, s, m, g, (), notes.get(i))
            for i, e, s, m, g in zip(
                t.ids, t.elements, t.statuses, t.max_scores, t.earned, strict=True
            )
        )

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {item_id: n for n, item_id in enumerate(self.trace.ids)}

    def item(self, item_id: str) -> ItemScore:
        """One item's score (as in ``items``) without building the others."""
        t = self.trace
        if (found := t.failed.get(item_id)) is not None:
            return found
        n = self._positions[item_id]
        return ItemScore(
            item_id,
            t.elements[n],
            t.statuses[n],
            t.max_scores[n],
            t.earned[n],
            (),
            t.notes.get(item_id),
        )

    @property
    def complete(self) -> bool:
        return self.answered == self.total_items

    @property
    def eligible(self) -> bool:
        """May apply for review (申请评审)."""
        return not self.ineligible


def plan_improvement(
    bands: tuple[GradeBand, ...],
    band: GradeBand | None,
    vetoes: tuple[str, ...],
    ranked: tuple[ItemScore, ...],
    earned: int,
    applicable: int,
    decimals: int,
) -> Improvement | None:
    """Vetoes first, then failed items by recoverable points until the target band is reached;
    taking the largest gains first gives the fewest items."""
    if vetoes:
        target = band or bands[0]
    else:
        higher = [b for b in bands if band is None or b.min_percentage > band.min_percentage]
        if not higher:
            return None
        target = higher[0]
    needed = points_needed(target.min_percentage, applicable, decimals) - earned
    plan = [s for s in ranked if s.item_id in vetoes]
    gained = sum(s.recoverable for s in plan)
    for s in ranked:
        if gained >= needed:
            break
        if s.item_id not in vetoes:
            plan.append(s)
            gained += s.recoverable
    return Improvement(target, max(needed, 0), tuple(s.item_id for s in plan), gained >= needed)
