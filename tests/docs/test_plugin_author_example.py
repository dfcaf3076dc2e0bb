"""The example in docs/testing_plugins.md: this file is included there verbatim (a test checks)."""

from anbiao.core import hookimpl
from anbiao.core.models.answers import AnswerSheet
from anbiao.core.models.profile import Profile

PACK = """
schema_version: 1
id: my-base
version: "1.0"
kind: base
title: {zh-CN: 我的基础清单, en: My base checklist}
basis: [{id: doc, title: {zh-CN: 依据, en: Basis}}]
scoring:
  full_marks: 10
  bands: [{id: pass, title: {zh-CN: 达标, en: Pass}, min_percentage: 60}]
  eligibility: {apply_percentage: 70}
elements:
  - code: "5.1"
    title: {zh-CN: 目标职责, en: Objectives}
    items:
      - id: my-base.5-1.01
        requirement: {zh-CN: 制定年度安全目标。}
        max_score: 10
        deductions: [{id: none, reason: {zh-CN: 无目标}, points: 10}]
        basis: [{doc: doc}]
"""


def profile() -> Profile:
    return Profile(
        uscc="91350102MA00000152",
        name="测试厂",
        region="350102",
        industry="machinery",
        employees=8,
        annual_revenue_10k=200,
    )


def test_my_pack_scores(load_checklist_text, make_engine):
    engine = make_engine(load_checklist_text(PACK))
    result = engine.assess(profile(), AnswerSheet(default="compliant"))
    assert result.percentage == 100 and result.passed


def test_my_hook_sees_every_result(load_checklist_text, make_engine):
    seen = []

    class Recorder:
        @hookimpl
        def assessment_scored(self, result):
            seen.append(result.percentage)

    engine = make_engine(load_checklist_text(PACK))
    engine.pm.register(Recorder())
    engine.assess(profile(), AnswerSheet(answers={"my-base.5-1.01": {"status": "non_compliant"}}))
    assert seen == [0]
