"""Request and response bodies of self-assessments and hazards."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from anbiao.api.kernel.limits import Batch, Version
from anbiao.api.kernel.schemas import Input, Output
from anbiao.core.models._base import Integer


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
