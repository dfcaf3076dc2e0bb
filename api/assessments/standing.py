"""Where a self-assessment stands while it is filled: how much is answered, the score of what is
answered, and the final percentage and grade only once every item is answered."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from anbiao.core.models.answers import Status
from anbiao.core.models.checklist import GradeBand
from anbiao.core.result import AssessmentResult, percentage


@dataclass(frozen=True, slots=True)
class Standing:
    """Completion and the score so far.

    ``answered_percentage`` is earned ÷ applicable points of the answered items only (N/A left
    out), so a firm that answers 符合 reads 100 %, not the share of the whole checklist. The
    engine's ``percentage`` (unanswered items count as zero) and the grade are final only when
    ``complete``."""

    answered: int
    total: int
    earned: int  # points earned on the answered items
    applicable: int  # points of the answered items that are not N/A
    answered_percentage: Decimal
    complete: bool
    percentage: Decimal  # the engine's: unanswered items count as 0
    band: GradeBand | None
    vetoes: int
    passed: bool  # the engine's: band reached and no veto failed

    @property
    def left(self) -> int:
        return self.total - self.answered


def standing(result: AssessmentResult) -> Standing:
    """The standing of a scored assessment (one pass over its items)."""
    earned = applicable = 0
    for s in result.items:
        if s.status is not None and s.status is not Status.na:
            earned += s.earned
            applicable += s.max_score
    return Standing(
        answered=result.answered,
        total=result.total_items,
        earned=earned,
        applicable=applicable,
        answered_percentage=percentage(earned, applicable, result.decimals),
        complete=result.complete,
        percentage=result.percentage,
        band=result.band,
        vetoes=len(result.vetoes),
        passed=result.passed,
    )
