"""Request and response bodies of self-assessments and hazards."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import (
    field_validator,
)

from anbiao.api.kernel.schemas import Input, Output, _bounded
from anbiao.core.models._base import Integer
from anbiao.core.models.answers import Answer


class AnswersPatch(Input):
    """A batch of answers; ``null`` clears an answer. ``version`` must be the one read."""

    version: Integer
    answers: dict[str, Answer | None]

    @field_validator("answers")
    @classmethod
    def _batch_size(cls, value: dict[str, Answer | None]) -> dict[str, Answer | None]:
        return _bounded(value)


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
