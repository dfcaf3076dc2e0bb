"""Request and response bodies of self-assessments and hazards."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from anbiao.api.kernel.limits import Batch, Version
from anbiao.api.kernel.schemas import Input, Output
from anbiao.core.models._base import Integer
from anbiao.core.models.answers import Status


class AnswersPatch(Input):
    """A batch of answers; ``null`` clears an answer. ``version`` must be the one read."""

    version: Version
    answers: Batch


class AssessmentOut(Output):
    id: UUID
    enterprise_id: UUID
    fingerprint: str
    packs: list[dict[str, str]]
    answers: dict[str, Any]
    version: Integer
    result: dict[str, Any]


class SavedItem(Output):
    """A saved item's outcome: its status (null: cleared) and points."""

    id: str
    status: Status | None
    earned: Integer
    max_score: Integer


class SaveTotals(Output):
    """The assessment's totals after a save (the full result stays at ``GET``)."""

    earned: Integer
    applicable: Integer
    percentage: str
    answered: Integer
    total_items: Integer
    complete: bool
    band: str | None
    passed: bool
    eligible: bool
    ineligible: list[str]  # codes: incomplete, below_threshold, veto, deaths, …


class HazardMoves(Output):
    """Self-assessment hazards this save moved, by item: opened, sent back to rectification,
    or set to await verification (the item was fixed)."""

    opened: list[str]
    rectifying: list[str]
    verification: list[str]


class SaveOut(Output):
    """What a save answers: the assessment, its new version, the saved items, the totals, the
    hazards moved."""

    id: UUID
    version: Integer
    items: list[SavedItem]
    totals: SaveTotals
    hazards: HazardMoves


class HazardOut(Output):
    id: UUID
    enterprise_id: UUID
    application_id: UUID | None
    item_id: str
    source: str
    level: str
    state: str
    description: str
    owner: str
    measures: str
    deadline: date | None
    evidence: list[str]
    resources: str
    version: Integer
