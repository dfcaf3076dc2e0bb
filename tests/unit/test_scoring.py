from decimal import Decimal

import pytest
from support import make_profile

from anbiao.core.errors import AssessmentError
from anbiao.core.models.answers import AnswerSheet
from anbiao.core.result import HazardLevel


def answers(default="compliant", **by_id) -> AnswerSheet:
    return AnswerSheet.model_validate({"default": default, "answers": by_id})


@pytest.fixture
def dusty(mini_engine):
    profile = make_profile(hazards=["dust_explosion"])
    return mini_engine, mini_engine.compose(profile), profile


def test_all_compliant_is_full_marks(dusty):
    engine, composed, profile = dusty
    result = engine.score(composed, answers(), profile)
    assert (result.earned, result.applicable, result.percentage) == (60, 60, Decimal("100.0"))
    assert result.passed and result.eligible and result.complete and not result.hazards


def test_deductions_stop_at_zero_and_are_traceable(dusty):
    engine, composed, profile = dusty
    result = engine.score(
        composed,
        answers(
            **{
                "mini-machinery.5-4-1.01": {"status": "partial", "deductions": {"no-guard": 7}},
                "mini.5-1-1.01": {"status": "partial", "deductions": ["not-assigned"]},
            }
        ),
        profile,
    )
    by_id = {s.item_id: s for s in result.items}
    presses = by_id["mini-machinery.5-4-1.01"]
    assert presses.earned == 0 and presses.deductions[0].points == 35  # 7 × 5, floored at 0
    assert by_id["mini.5-1-1.01"].earned == 6
    assert result.earned == sum(s.earned for s in result.items) == 36
    elements = {e.code: e for e in result.elements}
    assert elements["5.4"].earned == 20 and elements["5.4"].applicable == 40
    assert elements["5.4.1"].earned == 0 and elements["5.1"].earned == 6


def test_na_leaves_the_denominator(dusty):
    engine, composed, profile = dusty
    result = engine.score(composed, answers(**{"mini.5-4.02": {"status": "na"}}), profile)
    assert (result.earned, result.applicable) == (50, 50)


def test_veto_fails_regardless_of_score_and_is_a_major_hazard(dusty):
    engine, composed, profile = dusty
    result = engine.score(
        composed, answers(**{"mini-dust.5-5-1.01": {"status": "non_compliant"}}), profile
    )
    assert result.percentage == Decimal("83.3") and result.band is not None
    assert not result.passed and result.vetoes == ("mini-dust.5-5-1.01",)
    assert [i.code for i in result.ineligible] == ["veto"]
    [hazard] = result.hazards
    assert hazard.level is HazardLevel.major
    assert hazard.basis[0] == "应急管理部令第10号 第十一条(三)"
    assert result.improvement.items == ("mini-dust.5-5-1.01",)


def test_protective_device_failure_is_major_under_article_14(dusty):
    engine, composed, profile = dusty
    result = engine.score(
        composed,
        answers(**{"mini.5-4.02": {"status": "partial", "deductions": ["no-record"]}}),
        profile,
    )
    [hazard] = result.hazards
    assert hazard.level is HazardLevel.major and "应急管理部令第10号 第十四条" in hazard.basis


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            {"mini.9-9.99": {"status": "compliant"}},
            "mini.9-9.99: item is not in the composed checklist",
        ),
        ({"mini-machinery.5-4-1.02": {"status": "compliant"}}, "not applicable to this profile"),
        ({"mini.5-1-1.01": {"status": "na"}}, "N/A) is not allowed"),
        (
            {"mini.5-1-1.01": {"status": "partial", "deductions": ["nope"]}},
            "unknown deduction 'nope'",
        ),
        (
            {"mini.5-1-1.01": {"status": "partial", "deductions": {"no-target": 2}}},
            "may be chosen once",
        ),
        ({"mini.5-1-1.01": {"status": "partial"}}, "needs at least one deduction"),
        ({"mini.5-1-1.01": {"status": "compliant", "deductions": ["no-target"]}}, "cannot carry"),
        ({"mini-dust.5-5-1.01": {"status": "partial"}}, "never partial"),
        (
            {"mini.5-1-1.01": {"status": None, "deductions": ["no-target"]}},
            "deductions need a status",
        ),
    ],
)
def test_bad_answers_are_errors_never_ignored(dusty, answer, message):
    engine, composed, profile = dusty
    with pytest.raises(AssessmentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        engine.score(composed, answers(**answer), profile)


def test_unanswered_items_make_it_incomplete(dusty):
    engine, composed, profile = dusty
    result = engine.score(
        composed, answers(default=None, **{"mini.5-4.01": {"status": "compliant"}}), profile
    )
    assert result.answered == 1 and not result.complete
    assert result.earned == 10 and result.applicable == 60
    assert {i.code for i in result.ineligible} == {"incomplete", "below_threshold"}


def test_fatal_accident_blocks_application_but_not_the_score(mini_engine):
    profile = make_profile(accidents_12m={"deaths": 1})
    result = mini_engine.assess(profile, answers())
    assert result.passed and not result.eligible
    assert [i.code for i in result.ineligible] == ["deaths"]


def test_improvement_plan_reaches_the_next_band(dusty):
    engine, composed, profile = dusty
    bad = answers(
        **{
            "mini.5-1-1.01": {"status": "non_compliant"},
            "mini-machinery.5-4-1.01": {"status": "partial", "deductions": {"no-guard": 3}},
            "mini.5-4.02": {"status": "non_compliant"},
        }
    )
    result = engine.score(composed, bad, profile)  # 0 + 10 + 0 + 5 + 10 = 25 / 60 = 41.7 %
    assert result.percentage == Decimal("41.7") and result.band is None
    plan = result.improvement
    assert plan.target.id == "pass" and plan.points_needed == 11 and plan.reachable  # 36 − 25
    # the single biggest recoverable item is enough: presses (15), not two items of 10
    assert plan.items == ("mini-machinery.5-4-1.01",)
    assert result.ranked[0].item_id == "mini-machinery.5-4-1.01"


def test_plugin_wrapper_adjusts_results(make_engine):
    from dataclasses import replace

    from support import MINI_PACKS

    from anbiao.core.hookspecs import hookimpl

    class Stricter:
        @hookimpl(wrapper=True)
        def score_assessment(self):
            result = yield
            return replace(result, passed=result.passed and result.percentage >= 90)

    engine = make_engine(*MINI_PACKS)
    engine.pm.register(Stricter())
    profile = make_profile()
    result = engine.assess(profile, answers(**{"mini.5-4.02": {"status": "non_compliant"}}))
    assert result.percentage == Decimal("80.0") and result.band is not None and not result.passed
