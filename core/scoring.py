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
from typing import TypeVar

from anbiao.core.compose import ComposedChecklist, ComposedItem
from anbiao.core.eligibility import ineligibility
from anbiao.core.errors import AssessmentError, Message
from anbiao.core.models.answers import Answer, AnswerSheet, Status
from anbiao.core.models.profile import Profile
from anbiao.core.result import (
    AssessmentResult,
    DeductionApplied,
    HazardLevel,
    ItemScore,
    Trace,
    percentage,
)

MAX_ERRORS_SHOWN = 10
DEVICE_RULE = "应急管理部令第10号 第十四条"  # a failed monitoring/alarm/protection device is major
_NO_DEDUCTIONS: dict[str, int] = {}
T = TypeVar("T")


class _Rule:
    """What scoring needs of one composed item, precomputed once per composition."""

    __slots__ = (
        "basis",
        "chain",
        "deductions",
        "level",
        "max_score",
        "na_allowed",
        "position",
        "veto",
    )

    def __init__(
        self, composed: ComposedChecklist, ci: ComposedItem, position: int, parents: dict[str, str]
    ) -> None:
        item = ci.item
        self.position = position  # in composition order
        chain = [ci.element]  # the item's element and every element above it (totals roll up)
        while chain[-1] in parents:
            chain.append(parents[chain[-1]])
        self.chain = tuple(chain)
        self.max_score = item.max_score
        # id → (points, repeatable, position in the checklist)
        self.deductions = {d.id: (d.points, d.repeatable, n) for n, d in enumerate(item.deductions)}
        self.veto = item.veto is not None
        self.na_allowed = item.na_allowed
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
        parents = dict(composed.element_parents)
        for position, (item_id, ci) in enumerate(composed.items.items()):
            composed._index[item_id] = _Rule(composed, ci, position, parents)
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
        points, repeatable, _ = known
        if times > 1 and not repeatable:
            refuse("answer.deduction_once", deduction=ded_id, times=times)
        applied.append(DeductionApplied(ded_id, times, points * times))
    if len(applied) > 1:  # in the checklist's order, whatever the answer's
        applied.sort(key=lambda a: rule.deductions[a.id][2])
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
                    item_id, rule.chain[0], status, max_score, earned, applied, notes.get(item_id)
                )
                if rule.veto and status is non_compliant:
                    vetoes.append(item_id)
        earned_list.append(earned)
        if status is not na:
            earned_total += earned
            applicable_total += max_score
            acc = totals[rule.chain[0]]
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
    for leaf, top in composed.element_parents:  # roll 二级 totals up into their 一级 element
        totals[top][0] += totals[leaf][0]
        totals[top][1] += totals[leaf][1]
    return _conclude(
        composed, profile, trace, tuple(vetoes), totals, earned_total, applicable_total
    )


def _outcome(
    item_id: str, rule: _Rule, answer: Answer | None, errors: list[Message]
) -> tuple[Status | None, int, ItemScore | None, str | None]:
    """One item's status, points, failure (partial, non-compliant) and note, as ``score``
    finds them (an unanswered item has no status: ``rescore`` takes sheets without a
    default)."""
    if answer is None:
        return None, 0, None, None
    status, chosen, note = answer.status, answer.deductions, answer.note or None
    if status is Status.compliant and not chosen:
        return status, rule.max_score, None, note
    if status is Status.na and not chosen and rule.na_allowed:
        return status, 0, None, note
    if status is None:
        if chosen:
            errors.append(Message("answer.deductions_need_status", {"item": item_id}))
        return None, 0, None, note
    earned, applied = _earned(item_id, rule, status, chosen, errors)
    if status is Status.na or status is Status.compliant:
        return status, earned, None, note
    failure = ItemScore(item_id, rule.chain[0], status, rule.max_score, earned, applied, note)
    return status, earned, failure, note


def rescore(
    composed: ComposedChecklist,
    previous: AssessmentResult,
    answers: AnswerSheet,
    changed: Iterable[str],
    profile: Profile,
) -> AssessmentResult:
    """``score(composed, answers, profile)``, re-scoring only the ``changed`` items:
    ``previous`` is the score of the same checklist, profile and answers but for those items
    (both sheets without a ``default``). Bad answers raise as ``score`` raises them."""
    if answers.default is not None:
        return score(composed, answers, profile)
    rules = _rules(composed)
    given = answers.answers
    ids = set(changed)
    errors = _unknown_items(composed, (ids - rules.keys()) & given.keys())
    trace = previous.trace
    statuses, earned_list = list(trace.statuses), list(trace.earned)
    failed, notes = dict(trace.failed), dict(trace.notes)
    vetoes = set(previous.vetoes)
    totals = {code: [e, a] for code, e, a in previous.totals}
    whole = [previous.earned, previous.applicable]

    def count(rule: _Rule, status: Status | None, earned: int, sign: int) -> None:
        if status is not Status.na:  # N/A is out of the denominator
            for acc in (whole, *(totals[code] for code in rule.chain)):
                acc[0] += sign * earned
                acc[1] += sign * rule.max_score

    for item_id in ids & rules.keys():
        rule = rules[item_id]
        n = rule.position
        count(rule, statuses[n], earned_list[n], -1)
        for kept in (failed, notes):
            kept.pop(item_id, None)
        vetoes.discard(item_id)
        status, earned, failure, note = _outcome(item_id, rule, given.get(item_id), errors)
        statuses[n], earned_list[n] = status, earned
        count(rule, status, earned, 1)
        if failure is not None:
            failed[item_id] = failure
            if rule.veto and status is Status.non_compliant:
                vetoes.add(item_id)
        if note:
            notes[item_id] = note
    if errors:
        raise _assessment_error(errors)
    trace = Trace(
        trace.ids,
        trace.elements,
        trace.max_scores,
        tuple(statuses),
        tuple(earned_list),
        _in_order(rules, failed),
        _in_order(rules, notes),
    )
    ordered = tuple(_in_order(rules, dict.fromkeys(vetoes)))
    return _conclude(composed, profile, trace, ordered, totals, whole[0], whole[1])


def _in_order(rules: dict[str, _Rule], by_item: dict[str, T]) -> dict[str, T]:
    """``by_item`` in composition order."""
    return dict(sorted(by_item.items(), key=lambda pair: rules[pair[0]].position))


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
        ineligible=ineligibility(composed, profile, pct, vetoes, answered, total),
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
