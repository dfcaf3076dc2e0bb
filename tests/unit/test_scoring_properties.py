"""Property tests (hypothesis) for every invariant of composition and scoring."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from support import make_profile

from anbiao.core.catalog import Catalog
from anbiao.core.compose import Composer
from anbiao.core.errors import AssessmentError
from anbiao.core.models.answers import (
    Answer,
    AnswerSheet,
    Status,
    ValidatedSheets,
    changed_answers,
    sheet_of,
)
from anbiao.core.models.checklist import BaseChecklist
from anbiao.core.scoring import rescore, score

PROFILE = make_profile()


@st.composite
def items(draw, prefix: str):
    max_score = draw(st.integers(1, 20))
    veto = draw(st.booleans()) and draw(st.booleans())
    deductions = (
        []
        if veto
        else [
            {
                "id": f"d{n}",
                "reason": {"zh-CN": f"扣分{n}"},
                "points": draw(st.integers(1, max_score)),
                "repeatable": draw(st.booleans()),
            }
            for n in range(draw(st.integers(1, 3)))
        ]
    )
    return {
        "id": prefix,
        "requirement": {"zh-CN": "要求"},
        "max_score": max_score,
        "deductions": deductions,
        "na_allowed": draw(st.booleans()),
        "veto": {"doc": "doc"} if veto else None,
        "basis": [{"doc": "doc"}],
    }


@st.composite
def element(draw, code: str, depth: int) -> dict:
    """An element with items and, down to three levels, elements of its own (一级, 二级, …)."""
    below = draw(st.integers(0, 2)) if depth < 2 else 0
    count = draw(st.integers(0 if below else 1, 4))
    return {
        "code": code,
        "title": {"zh-CN": "要素", "en": "Element"},
        "items": [draw(items(f"p.{code}.{n}")) for n in range(count)],
        "elements": [draw(element(f"{code}.{n}", depth + 1)) for n in range(1, below + 1)],
    }


def _all_items(elements: list[dict]) -> list[dict]:
    return [i for e in elements for i in e["items"] + _all_items(e["elements"])]


@st.composite
def pack_models(draw) -> BaseChecklist:
    elements = [draw(element(f"5.{top}", 0)) for top in range(1, draw(st.integers(1, 3)) + 1)]
    total = sum(i["max_score"] for i in _all_items(elements))
    bands = [{"id": "pass", "title": {"zh-CN": "达标", "en": "Pass"}, "min_percentage": 60}]
    if draw(st.booleans()):
        bands.append({"id": "good", "title": {"zh-CN": "良好", "en": "Good"}, "min_percentage": 85})
    return BaseChecklist.model_validate(
        {
            "schema_version": 1,
            "id": "p",
            "version": "1.0",
            "kind": "base",
            "title": {"zh-CN": "清单", "en": "Pack"},
            "basis": [{"id": "doc", "title": {"zh-CN": "依据", "en": "Basis"}}],
            "scoring": {
                "full_marks": total,
                "bands": bands,
                "eligibility": {"apply_percentage": draw(st.sampled_from([60, 70, 75.5]))},
            },
            "elements": elements,
        }
    )


def compose(pack: BaseChecklist):
    catalog = Catalog()
    catalog.add_source(pack, "test")
    return Composer(catalog).compose(PROFILE)


def packs():
    return pack_models().map(compose)


def answer_for(draw, item):
    choices = [Status.compliant, Status.non_compliant, None]
    if item.deductions and item.veto is None:
        choices.append(Status.partial)
    if item.na_allowed:
        choices.append(Status.na)
    status = draw(st.sampled_from(choices))
    if status is Status.partial:
        chosen = draw(
            st.lists(st.sampled_from(item.deductions), min_size=1, unique_by=lambda d: d.id)
        )
        return {
            "status": status,
            "deductions": {d.id: draw(st.integers(1, 4)) if d.repeatable else 1 for d in chosen},
        }
    return {"status": status}


@st.composite
def assessments(draw):
    composed = draw(packs())
    given = {i: answer_for(draw, ci.item) for i, ci in composed.items.items()}
    return composed, given


def sheet(given: dict) -> AnswerSheet:
    return AnswerSheet.model_validate({"answers": given})


@given(assessments())
def test_bounds_and_traceability(case):
    composed, given = case
    result = score(composed, sheet(given), PROFILE)
    assert 0 <= result.earned <= result.applicable <= result.full_marks
    assert 0 <= result.percentage <= 100
    assert result.earned == sum(s.earned for s in result.items if s.applicable)
    for s in result.items:
        if s.status is Status.partial:
            assert s.earned == max(0, s.max_score - sum(d.points for d in s.deductions))
    for e in result.elements:
        assert 0 <= e.earned <= e.applicable


@given(assessments(), st.data())
def test_na_removes_exactly_the_items_points(case, data):
    composed, given = case
    candidates = [
        i
        for i, ci in composed.items.items()
        if ci.item.na_allowed and given[i]["status"] not in (Status.na, None)
    ]
    if not candidates:
        return
    item_id = data.draw(st.sampled_from(candidates))
    before = score(composed, sheet(given), PROFILE)
    after = score(composed, sheet({**given, item_id: {"status": "na"}}), PROFILE)
    item_score = next(s for s in before.items if s.item_id == item_id)
    assert after.applicable == before.applicable - item_score.max_score
    assert after.earned == before.earned - item_score.earned


@given(assessments(), st.data())
def test_improving_an_answer_never_lowers_the_score(case, data):
    composed, given = case
    item_id = data.draw(st.sampled_from(list(given)))
    if given[item_id]["status"] is Status.na:
        return
    better = {"status": "compliant"}
    if given[item_id]["status"] is Status.partial and len(given[item_id]["deductions"]) > 1:
        # dropping one chosen deduction is an improvement too
        kept = dict(list(given[item_id]["deductions"].items())[1:])
        better = data.draw(st.sampled_from([better, {"status": "partial", "deductions": kept}]))
    before = score(composed, sheet(given), PROFILE)
    after = score(composed, sheet({**given, item_id: better}), PROFILE)
    assert after.earned >= before.earned and after.percentage >= before.percentage
    assert len(after.vetoes) <= len(before.vetoes)


@given(assessments())
def test_a_failed_veto_fails_whatever_the_score(case):
    composed, given = case
    result = score(composed, sheet(given), PROFILE)
    vetoed = [
        i
        for i, a in given.items()
        if composed.items[i].item.veto is not None and a["status"] is Status.non_compliant
    ]
    assert set(result.vetoes) == set(vetoed)
    if vetoed:
        assert not result.passed and not result.eligible


@given(assessments(), st.randoms())
def test_answer_order_is_irrelevant(case, rnd):
    """Neither the order of the answers nor that of an answer's deductions changes the result
    (the deductions applied are listed in the checklist's order)."""
    composed, given = case
    keys = list(given)
    rnd.shuffle(keys)
    shuffled = {}
    for k in keys:
        deductions = list(given[k].get("deductions", {}).items())
        rnd.shuffle(deductions)
        shuffled[k] = {**given[k], "deductions": dict(deductions)}
    assert score(composed, sheet(given), PROFILE) == score(composed, sheet(shuffled), PROFILE)


@given(assessments())
def test_following_the_improvement_plan_reaches_its_target(case):
    composed, given = case
    result = score(composed, sheet(given), PROFILE)
    plan = result.improvement
    if plan is None or not plan.reachable:
        return
    fixed = score(
        composed, sheet({**given, **{i: {"status": "compliant"} for i in plan.items}}), PROFILE
    )
    assert fixed.percentage >= plan.target.min_percentage and not fixed.vetoes
    # smallest set: dropping the last non-veto item of the plan falls short
    optional = [i for i in plan.items if i not in result.vetoes]
    if optional:
        short = [i for i in plan.items if i != optional[-1]]
        partial = score(
            composed, sheet({**given, **{i: {"status": "compliant"} for i in short}}), PROFILE
        )
        assert partial.percentage < plan.target.min_percentage


@settings(max_examples=25)
@given(pack_models())
def test_composing_twice_is_identical(pack):
    first, second = compose(pack), compose(pack)
    assert first == second and first.fingerprint == second.fingerprint
    assert list(first.items) == list(second.items)


def _stored(answer: dict) -> dict:
    return Answer.model_validate(answer).model_dump(mode="json", exclude_defaults=True)


@given(assessments(), st.data())
def test_a_kept_sheet_scores_as_the_full_validation(case, data):
    """A save validates only its changes while the kept sheet matches the stored answers: the
    sheet, the merged answers, their text and the score equal those of validating everything
    again; a kept sheet whose answers were changed by another writer is not reused."""
    composed, given = case
    ids = list(given)
    stored = {i: _stored(given[i]) for i in data.draw(st.sets(st.sampled_from(ids)))}
    batch = {
        i: None
        if data.draw(st.booleans())
        else Answer.model_validate(answer_for(data.draw, ci.item))
        for i, ci in composed.items.items()
        if data.draw(st.booleans())
    }
    sheets = ValidatedSheets()
    kept, valid = sheets.read("a", json.dumps(stored, ensure_ascii=data.draw(st.booleans())))
    assert kept == stored and sheet_of(valid) == sheet(stored)
    changes = changed_answers(kept, batch)
    merged = sheets.merge("a", kept, changes)
    expected = {i: a for i, a in stored.items() if i not in batch} | {
        i: a.model_dump(mode="json", exclude_defaults=True)
        for i, a in batch.items()
        if a is not None
    }
    assert merged.stored == expected and json.loads(merged.text) == expected
    assert set(changes) == {i for i in batch if expected.get(i) != stored.get(i)}
    assert changes.stored == {i: expected.get(i) for i in changes}
    merged_sheet = sheet_of(sheets.kept("a").answers)
    assert merged_sheet == sheet(expected)
    assert score(composed, merged_sheet, PROFILE) == score(composed, sheet(expected), PROFILE)
    assert sheets.read("a", merged.text) == (expected, sheet(expected).answers)
    other = {i: {"status": "non_compliant"} for i in ids}  # written elsewhere meanwhile
    assert sheets.validated("a", other) == sheet(other).answers
    assert sheets.read("a", json.dumps(other))[1] == sheet(other).answers


@given(assessments(), st.data())
def test_kept_answers_are_always_those_stored(case, data):
    """Whatever was kept under a key before (by reads as answers or as text, or saves, of these
    answers or others), the validated answers read for stored answers (or their text, in any
    spelling) are those of validating them afresh, and the review's merge of kept parts scores
    as validating the merged answers."""
    composed, given = case
    ids = list(given)
    versions = [
        {i: _stored(given[i]) for i in data.draw(st.sets(st.sampled_from(ids)))} for _ in range(3)
    ]
    sheets = ValidatedSheets(limit=data.draw(st.integers(1, 3)))
    for _ in range(data.draw(st.integers(1, 8))):
        key = data.draw(st.sampled_from(["application", "assignment", "other"]))
        stored = data.draw(st.sampled_from(versions))
        way = data.draw(st.sampled_from(["answers", "text", "merge"]))
        if way == "answers":
            assert sheets.validated(key, stored) == sheet(stored).answers
        elif way == "text":
            text = json.dumps(stored, indent=data.draw(st.sampled_from([None, 1])))
            assert sheets.read(key, text) == (stored, sheet(stored).answers)
        else:
            sheets.merge(key, stored, changed_answers(stored, {}))
    own, scores = versions[0], versions[1]
    parts = dict(sheets.validated("application", own)) | sheets.validated("assignment", scores)
    whole = sheet(own | scores)
    assert parts == whole.answers
    assert score(composed, sheet_of(parts), PROFILE) == score(composed, whole, PROFILE)


def any_answer_for(draw, item) -> dict:
    """An answer the checklist may refuse: partial without deductions, N/A where not allowed,
    deductions with compliant or N/A, an unknown deduction."""
    answer = answer_for(draw, item)
    if draw(st.integers(0, 5)):
        return answer
    status = draw(st.sampled_from([*Status, None]))
    return {"status": status, "deductions": draw(st.sampled_from([{}, {"d0": 1}, {"zz": 1}]))}


def _outcome(composed, answers: dict):
    """The score of ``answers``, or the messages of the error scoring raised."""
    try:
        return score(composed, sheet(answers), PROFILE)
    except AssessmentError as error:
        return [str(m) for m in error.messages]


@given(assessments(), st.data())
def test_rescoring_the_changed_items_equals_scoring_every_item(case, data):
    """A save re-scores only the items it changed, from the score of the answers before: over
    any run of batches (answers changed, cleared, refused, for items the checklist does not
    hold), each result equals scoring every answer again, or raises the same error; a refused
    batch is not saved, and the next one re-scores from the last saved score."""
    composed, given = case
    answers = {i: a for i, a in given.items() if data.draw(st.booleans())}
    previous = score(composed, sheet(answers), PROFILE)
    for _ in range(data.draw(st.integers(1, 4))):
        ids = data.draw(st.sets(st.sampled_from([*given, "p.unknown"]), max_size=len(given)))
        batch = {
            i: None
            if i not in given or data.draw(st.integers(0, 4)) == 0
            else any_answer_for(data.draw, composed.items[i].item)
            for i in ids
        }
        if "p.unknown" in batch and data.draw(st.booleans()):
            batch["p.unknown"] = {"status": "compliant"}
        new = {i: a for i, a in answers.items() if i not in batch} | {
            i: a for i, a in batch.items() if a is not None
        }
        expected = _outcome(composed, new)
        try:
            result = rescore(composed, previous, sheet(new), batch, PROFILE)
        except AssessmentError as error:
            assert [str(m) for m in error.messages] == expected
            continue
        assert result == expected
        assert result.items == expected.items and result.elements == expected.elements
        assert result.hazards == expected.hazards and result.ranked == expected.ranked
        assert result.improvement == expected.improvement
        answers, previous = new, result


def test_kept_sheets_are_bounded_least_recently_used_first():
    """At most ``limit`` sheets are kept; the one used least recently is dropped (validated
    again on its next use), the others are reused as they are."""
    stored = {"a": {"x": {"status": "compliant"}}, "b": {"y": {"status": "na"}}}
    stored["c"] = {"z": {"status": "non_compliant"}}
    sheets = ValidatedSheets(limit=2)
    first = {key: sheets.validated(key, answers) for key, answers in stored.items() if key != "c"}
    assert sheets.validated("a", stored["a"]) is first["a"]  # used: now the most recent
    sheets.validated("c", stored["c"])  # over the limit: "b" goes
    assert sheets.validated("a", stored["a"]) is first["a"]
    again = sheets.validated("b", stored["b"])
    assert again == first["b"] and again is not first["b"]
