"""Answers (自评/评审 答案) to a composed checklist."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from anbiao.core.models.text import (
    DEDUCTION_TIMES_MAX,
    DEDUCTIONS_MAX,
    NOTE_MAX,
    REFERENCE_MAX,
    REFERENCES_MAX,
    Key,
    Text,
)

Times = Annotated[int, Field(ge=1, le=DEDUCTION_TIMES_MAX)]


class Status(StrEnum):
    compliant = "compliant"  # 符合
    partial = "partial"  # 部分符合 (named deductions)
    non_compliant = "non_compliant"  # 不符合 (no points)
    na = "na"  # 不涉及

    @property
    def rank(self) -> int:
        """Order for "better answer": non_compliant < partial < compliant."""
        return _RANK[self]


_RANK = {Status.non_compliant: 0, Status.partial: 1, Status.compliant: 2, Status.na: 3}


class Answer(BaseModel):
    """One item's answer: a status, chosen deductions (id → times), a note and evidence refs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Status | None = Field(description="None (null) means not answered yet.")
    deductions: dict[Key, Times] = Field(
        default_factory=dict,
        max_length=DEDUCTIONS_MAX,
        description="Chosen deductions: id → times (a list means once each).",
        json_schema_extra={
            "additionalProperties": {
                "type": "integer",
                "minimum": 1,
                "maximum": DEDUCTION_TIMES_MAX,
            },
            "maxProperties": DEDUCTIONS_MAX,
        },
    )
    note: Text(NOTE_MAX, multiline=True) | None = Field(
        default=None, description=f"自评描述 / what was found (at most {NOTE_MAX} characters)."
    )
    evidence: tuple[Text(REFERENCE_MAX), ...] = Field(
        default=(),
        max_length=REFERENCES_MAX,
        description="Evidence references (files, records).",
    )

    @field_validator("deductions", mode="before")
    @classmethod
    def _list_means_once(cls, value: object) -> object:
        if isinstance(value, list):
            counts: dict[str, int] = {}
            for key in value:
                counts[key] = counts.get(key, 0) + 1
            return counts
        return value


class AnswerSheet(BaseModel):
    """All answers of one assessment, keyed by item id; ``default`` fills unanswered items."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: Status | None = Field(default=None, description="Status for items not listed.")
    answers: dict[str, Answer] = Field(default_factory=dict)
