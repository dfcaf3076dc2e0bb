"""Default scoring: the conventions of domain.md §4, implemented in ``anbiao.core.scoring``."""

from __future__ import annotations

from anbiao.core.compose import ComposedChecklist
from anbiao.core.hookspecs import hookimpl
from anbiao.core.models.answers import AnswerSheet
from anbiao.core.models.profile import Profile
from anbiao.core.result import AssessmentResult
from anbiao.core.scoring import score


@hookimpl(trylast=True)
def score_assessment(
    composed: ComposedChecklist, answers: AnswerSheet, profile: Profile
) -> AssessmentResult:
    return score(composed, answers, profile)
