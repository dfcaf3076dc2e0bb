"""The default scoring (domain.md §4): deduct to zero, N/A out of the denominator, vetoes apart.

* compliant → full points; partial → full points minus the chosen deductions, never below zero;
  non-compliant → zero; N/A → out of the denominator (only where the item allows it);
  unanswered → zero, and the assessment is incomplete.
* percentage = earned ÷ applicable × 100, rounded half up to the configured decimals; the rounded
  value is compared with the bands and the application threshold.
* A failed veto item (否决项) fails the assessment whatever the score.
"""

from __future__ import annotations

from anbiao.core.compose import ComposedChecklist
from anbiao.core.errors import AssessmentError
from anbiao.core.models.answers import AnswerSheet, Status
from anbiao.core.models.profile import Profile
from anbiao.core.result import (
    AssessmentResult,
    DeductionApplied,
    ElementScore,
    HazardFinding,
    HazardLevel,
    Improvement,
    Ineligibility,
    ItemScore,
    percentage,
    points_needed,
)

MAX_ERRORS_SHOWN = 10
Row = tuple[int, dict[str, tuple[int, bool]], bool, bool, str, str]


def _index(composed: ComposedChecklist) -> dict[str, Row]:
    """Per item: max score, deductions, veto, N/A allowed, element and 一级 element (cached)."""
    if not composed._index:
        for item_id, ci in composed.items.items():
            item = ci.item
            deductions = {d.id: (d.points, d.repeatable) for d in item.deductions}
            composed._index[item_id] = (
                item.max_score, deductions, item.veto is not None, item.na_allowed, ci.element, ci.top
            )
    return composed._index


def _earned(item_id: str, row: Row, status: Status, chosen: dict[str, int], errors: list[str]):
    max_score, deductions, veto, na_allowed, _, _ = row
    if status is Status.na:
        if not na_allowed:
            errors.append(f"{item_id}: 不涉及 (N/A) is not allowed for this item")
        return 0, ()
    applied = []
    for ded_id, times in chosen.items():
        if (known := deductions.get(ded_id)) is None:
            errors.append(f"{item_id}: unknown deduction '{ded_id}' (defined: {', '.join(deductions) or 'none'})")
            continue
        points, repeatable = known
        if times > 1 and not repeatable:
            errors.append(f"{item_id}: deduction '{ded_id}' may be chosen once, not {times} times")
        applied.append(DeductionApplied(ded_id, times, points * times))
    if status is Status.compliant:
        if chosen:
            errors.append(f"{item_id}: a compliant answer cannot carry deductions")
        return max_score, ()
    if status is Status.non_compliant:
        return 0, tuple(applied)
    if veto:
        errors.append(f"{item_id}: a veto item (否决项) is compliant or non-compliant, never partial")
    if not chosen:
        errors.append(f"{item_id}: a partial answer needs at least one deduction")
    return max(0, max_score - sum(a.points for a in applied)), tuple(applied)


def score(composed: ComposedChecklist, answers: AnswerSheet, profile: Profile) -> AssessmentResult:
    """Score ``answers`` against ``composed``; bad answers raise one :class:`AssessmentError`."""
    index = _index(composed)
    given = answers.answers
    errors: list[str] = []
    for item_id in given.keys() - index.keys():
        where = "is not applicable to this profile" if item_id in composed.excluded or item_id in (
            composed.not_applicable
        ) else "is not in the composed checklist"
        errors.append(f"{item_id}: item {where}")
    default = answers.default
    items: list[ItemScore] = []
    totals: dict[str, list[int]] = {}
    earned_total = applicable_total = full = answered = 0
    for item_id, row in index.items():
        answer = given.get(item_id)
        status = answer.status if answer is not None else default
        max_score, element, top = row[0], row[4], row[5]
        full += max_score
        if status is None:
            if answer is not None and answer.deductions:
                errors.append(f"{item_id}: deductions need a status")
            earned, applied = 0, ()
        else:
            answered += 1
            earned, applied = _earned(item_id, row, status, answer.deductions if answer else {}, errors)
        note = answer.note if answer is not None else None
        items.append(ItemScore(item_id, element, status, max_score, earned, applied, note))
        if status is not Status.na:
            earned_total += earned
            applicable_total += max_score
            for code in {element, top}:
                acc = totals.setdefault(code, [0, 0])
                acc[0] += earned
                acc[1] += max_score
    if errors:
        shown = sorted(errors)[:MAX_ERRORS_SHOWN]
        more = f" (+{len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise AssessmentError("; ".join(shown) + more)
    return _conclude(composed, profile, items, totals, earned_total, applicable_total, full, answered)


def _conclude(composed, profile, items, totals, earned, applicable, full, answered) -> AssessmentResult:
    scoring = composed.scoring
    decimals = scoring.decimals
    pct = percentage(earned, applicable, decimals)
    vetoes = tuple(s.item_id for s in items if s.status is Status.non_compliant and composed.items[s.item_id].item.veto)
    band = None
    for candidate in scoring.bands:
        if pct >= candidate.min_percentage:
            band = candidate
    ineligible = _ineligibility(composed, profile, pct, vetoes, answered, len(items))
    failed = [s for s in items if s.failed]
    ranked = tuple(sorted(failed, key=lambda s: -s.recoverable))
    return AssessmentResult(
        fingerprint=composed.fingerprint,
        earned=earned,
        applicable=applicable,
        full_marks=full,
        percentage=pct,
        answered=answered,
        total_items=len(items),
        vetoes=vetoes,
        band=band,
        passed=band is not None and not vetoes,
        ineligible=ineligible,
        items=tuple(items),
        elements=tuple(
            ElementScore(code, *totals[code], percentage(*totals[code], decimals))
            for code in _element_codes(composed.elements)
            if code in totals
        ),
        hazards=tuple(_hazard(composed, s) for s in failed),
        ranked=ranked,
        improvement=_improvement(scoring.bands, band, vetoes, ranked, earned, applicable, decimals),
    )


def _element_codes(elements):
    for element in elements:
        yield element.code
        yield from _element_codes(element.elements)


def _hazard(composed: ComposedChecklist, score: ItemScore) -> HazardFinding:
    ci = composed.items[score.item_id]
    item = ci.item
    refs = [composed.cite(ci.pack, ref) for ref in item.basis]
    if item.veto is not None:
        refs.insert(0, composed.cite(ci.pack, item.veto))
    major = item.veto is not None or item.major_hazard or item.protective_device
    if item.protective_device:
        refs.append(DEVICE_RULE)
    level = HazardLevel.major if major else HazardLevel.general
    return HazardFinding(score.item_id, level, tuple(dict.fromkeys(refs)), score.note)


DEVICE_RULE = "应急管理部令第10号 第十四条"  # a failed monitoring/alarm/protection device is major


def _ineligibility(composed, profile, pct, vetoes, answered, total) -> tuple[Ineligibility, ...]:
    rules = composed.scoring.eligibility
    accidents = profile.accidents_12m
    reasons = []
    if answered < total:
        reasons.append(Ineligibility("incomplete", f"自评未完成：{total - answered} 项未作答 / "
                                     f"{total - answered} items unanswered"))
    if pct < rules.apply_percentage:
        reasons.append(Ineligibility("below_threshold", f"得分率 {pct}% 低于申请条件 "
                                     f"{rules.apply_percentage:g}% / below the threshold to apply"))
    if vetoes:
        reasons.append(Ineligibility("veto", "否决项不符合 / veto items failed: " + ", ".join(vetoes)))
    limits = (
        ("deaths", accidents.deaths, rules.max_deaths_12m, "死亡"),
        ("serious_injuries", accidents.serious_injuries, rules.max_serious_injuries_12m, "重伤"),
        ("direct_loss", accidents.direct_loss_10k, rules.max_direct_loss_10k_12m, "直接经济损失(万元)"),
    )
    for code, value, limit, label in limits:
        if limit is not None and value > limit:
            reasons.append(Ineligibility(code, f"近 12 个月{label} {value}，超过 {limit} / "
                                         f"last 12 months {code.replace('_', ' ')} {value} > {limit}"))
    return tuple(reasons)


def _improvement(bands, band, vetoes, ranked, earned, applicable, decimals) -> Improvement | None:
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
