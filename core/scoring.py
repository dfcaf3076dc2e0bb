"""The default scoring (domain.md §4): deduct to zero, N/A out of the denominator, vetoes apart.

* compliant → full points; partial → full points minus the chosen deductions, never below zero;
  non-compliant → zero; N/A → out of the denominator (only where the item allows it);
  unanswered → zero, and the assessment is incomplete.
* percentage = earned ÷ applicable × 100, rounded half up to the configured decimals; the rounded
  value is compared with the bands and the application threshold.
* A failed veto item (否决项) fails the assessment whatever the score.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal

from anbiao.core.compose import ComposedChecklist, ComposedItem
from anbiao.core.errors import AssessmentError, Message
from anbiao.core.models.answers import AnswerSheet, Status
from anbiao.core.models.profile import Profile
from anbiao.core.result import (
    AssessmentResult,
    DeductionApplied,
    HazardLevel,
    Ineligibility,
    ItemScore,
    Trace,
    percentage,
)

MAX_ERRORS_SHOWN = 10
DEVICE_RULE = "应急管理部令第10号 第十四条"  # a failed monitoring/alarm/protection device is major
_NO_DEDUCTIONS: dict[str, int] = {}


class _Rule:
    """What scoring needs of one composed item, precomputed once per composition."""

    __slots__ = ("basis", "codes", "deductions", "level", "max_score", "na_allowed", "veto")

    def __init__(self, composed: ComposedChecklist, ci: ComposedItem) -> None:
        item = ci.item
        self.max_score = item.max_score
        self.deductions = {d.id: (d.points, d.repeatable) for d in item.deductions}
        self.veto = item.veto is not None
        self.na_allowed = item.na_allowed
        self.codes = (ci.element,) if ci.element == ci.top else (ci.element, ci.top)
        refs = [composed.cite(ci.pack, ref) for ref in item.basis]
        if item.veto is not None:
            refs.insert(0, composed.cite(ci.pack, item.veto))
        if item.protective_device:
            refs.append(DEVICE_RULE)
        self.basis = tuple(dict.fromkeys(refs))
        major = self.veto or item.major_hazard or item.protective_device
        self.level = HazardLevel.major if major else HazardLevel.general


def _rules(composed: ComposedChecklist) -> dict[str, _Rule]:
    if not composed._index:
        for item_id, ci in composed.items.items():
            composed._index[item_id] = _Rule(composed, ci)
    return composed._index


def _earned(
    item_id: str, rule: _Rule, status: Status, chosen: dict[str, int], errors: list[Message]
) -> tuple[int, tuple[DeductionApplied, ...]]:
    def refuse(code: str, **params: object) -> None:
        errors.append(Message(code, {"item": item_id, **params}))

    if status is Status.na:
        if not rule.na_allowed:
            refuse("answer.na_not_allowed")
        if chosen:
            refuse("answer.na_with_deductions")
        return 0, ()
    applied: list[DeductionApplied] = []
    for ded_id, times in chosen.items():
        if (known := rule.deductions.get(ded_id)) is None:
            defined = ", ".join(rule.deductions) or "none"
            refuse("answer.unknown_deduction", deduction=ded_id, defined=defined)
            continue
        points, repeatable = known
        if times > 1 and not repeatable:
            refuse("answer.deduction_once", deduction=ded_id, times=times)
        applied.append(DeductionApplied(ded_id, times, points * times))
    if status is Status.compliant:
        refuse("answer.compliant_with_deductions")
        return rule.max_score, ()
    if status is Status.non_compliant:
        return 0, tuple(applied)
    if rule.veto:
        refuse("answer.veto_partial")
    if not chosen:
        refuse("answer.partial_needs_deduction")
    return max(0, rule.max_score - sum(a.points for a in applied)), tuple(applied)


def score(composed: ComposedChecklist, answers: AnswerSheet, profile: Profile) -> AssessmentResult:
    """Score ``answers`` against ``composed``; bad answers raise one :class:`AssessmentError`."""
    rules = _rules(composed)
    given = answers.answers
    errors = _unknown_items(composed, given.keys() - rules.keys())
    default = answers.default
    compliant, na, non_compliant = Status.compliant, Status.na, Status.non_compliant
    statuses: list[Status | None] = []
    earned_list: list[int] = []
    failed: dict[str, ItemScore] = {}
    notes: dict[str, str] = {}
    vetoes: list[str] = []
    totals = {code: [0, 0] for code in composed.element_codes}
    earned_total = applicable_total = 0
    for item_id, rule in rules.items():
        answer = given.get(item_id)
        if answer is None:
            status, chosen = default, _NO_DEDUCTIONS
        else:
            status, chosen = answer.status, answer.deductions
            if answer.note:
                notes[item_id] = answer.note
        max_score = rule.max_score
        statuses.append(status)
        if status is compliant and not chosen:
            earned = max_score
        elif status is na and not chosen and rule.na_allowed:
            earned = 0
        elif status is None:
            if chosen:
                errors.append(Message("answer.deductions_need_status", {"item": item_id}))
            earned = 0
        else:
            earned, applied = _earned(item_id, rule, status, chosen, errors)
            if status is not na and status is not compliant:
                failed[item_id] = ItemScore(
                    item_id, rule.codes[0], status, max_score, earned, applied, notes.get(item_id)
                )
                if rule.veto and status is non_compliant:
                    vetoes.append(item_id)
        earned_list.append(earned)
        if status is not na:
            earned_total += earned
            applicable_total += max_score
            acc = totals[rule.codes[0]]
            acc[0] += earned
            acc[1] += max_score
    if errors:
        raise _assessment_error(errors)
    trace = Trace(
        tuple(rules),
        composed.item_elements,
        composed.max_scores,
        tuple(statuses),
        tuple(earned_list),
        failed,
        notes,
    )
    return _conclude(
        composed, profile, trace, tuple(vetoes), totals, earned_total, applicable_total
    )


def _unknown_items(composed: ComposedChecklist, item_ids: Iterable[str]) -> list[Message]:
    """Errors for answers to items the composition does not hold."""
    errors = []
    for item_id in item_ids:
        known = item_id in composed.excluded or item_id in composed.not_applicable
        code = "answer.not_applicable_item" if known else "answer.unknown_item"
        errors.append(Message(code, {"item": item_id}))
    return errors


def _assessment_error(errors: list[Message]) -> AssessmentError:
    """One error naming the first problems (sorted) and how many more there are."""
    shown = sorted(errors, key=str)[:MAX_ERRORS_SHOWN]
    if len(errors) > MAX_ERRORS_SHOWN:
        shown.append(Message("answer.more", {"n": len(errors) - MAX_ERRORS_SHOWN}))
    return AssessmentError.of(shown)


def _conclude(
    composed: ComposedChecklist,
    profile: Profile,
    trace: Trace,
    vetoes: tuple[str, ...],
    totals: dict[str, list[int]],
    earned: int,
    applicable: int,
) -> AssessmentResult:
    for leaf, top in composed.element_parents:  # roll 二级 totals up into their 一级 element
        totals[top][0] += totals[leaf][0]
        totals[top][1] += totals[leaf][1]
    answered = len(trace.statuses) - trace.statuses.count(None)
    scoring = composed.scoring
    decimals = scoring.decimals
    pct = percentage(earned, applicable, decimals)
    band = None
    for candidate in scoring.bands:
        if pct >= candidate.min_percentage:
            band = candidate
    total = len(trace.ids)
    return AssessmentResult(
        fingerprint=composed.fingerprint,
        earned=earned,
        applicable=applicable,
        full_marks=sum(composed.max_scores),
        percentage=pct,
        answered=answered,
        total_items=total,
        vetoes=vetoes,
        band=band,
        passed=band is not None and not vetoes,
        ineligible=_ineligibility(composed, profile, pct, vetoes, answered, total),
        trace=trace,
        totals=tuple((code, e, a) for code, (e, a) in totals.items()),
        decimals=decimals,
        bands=tuple(scoring.bands),
        hazard_rules=_HazardRules(composed._index),
    )


class _HazardRules(Mapping[str, tuple[HazardLevel, tuple[str, ...]]]):
    """Item id → (level, basis), read from the precomputed item rules."""

    def __init__(self, rules: dict[str, _Rule]) -> None:
        self._rules = rules

    def __getitem__(self, item_id: str) -> tuple[HazardLevel, tuple[str, ...]]:
        rule = self._rules[item_id]
        return rule.level, rule.basis

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)


def _ineligibility(
    composed: ComposedChecklist,
    profile: Profile,
    pct: Decimal,
    vetoes: tuple[str, ...],
    answered: int,
    total: int,
) -> tuple[Ineligibility, ...]:
    rules = composed.scoring.eligibility
    accidents = profile.accidents_12m
    reasons: list[Ineligibility] = []
    if answered < total:
        reasons.append(
            Ineligibility(
                "incomplete",
                f"自评未完成：{total - answered} 项未作答 / {total - answered} items unanswered",
                {"unanswered": total - answered},
            )
        )
    if pct < rules.apply_percentage:
        reasons.append(
            Ineligibility(
                "below_threshold",
                f"得分率 {pct}% 低于申请条件 "
                f"{rules.apply_percentage:g}% / below the threshold to apply",
                {"percentage": str(pct), "threshold": f"{rules.apply_percentage:g}"},
            )
        )
    if vetoes:
        reasons.append(
            Ineligibility(
                "veto",
                "否决项不符合 / veto items failed: " + ", ".join(vetoes),
                {"items": ", ".join(vetoes)},
            )
        )
    limits = (
        ("deaths", accidents.deaths, rules.max_deaths_12m, "死亡"),
        ("serious_injuries", accidents.serious_injuries, rules.max_serious_injuries_12m, "重伤"),
        (
            "direct_loss",
            accidents.direct_loss_10k,
            rules.max_direct_loss_10k_12m,
            "直接经济损失(万元)",
        ),
    )
    for code, value, limit, label in limits:
        if limit is not None and value > limit:
            reasons.append(
                Ineligibility(
                    code,
                    f"近 12 个月{label} {value}，超过 {limit} / "
                    f"last 12 months {code.replace('_', ' ')} {value} > {limit}",
                    {"value": str(value), "limit": str(limit)},
                )
            )
    return tuple(reasons)
