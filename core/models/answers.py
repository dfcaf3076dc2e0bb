"""Answers (自评/评审 答案) to a composed checklist."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator
from pydantic_core import from_json, to_json

from anbiao.core.models.text import (
    DEDUCTION_TIMES_MAX,
    DEDUCTIONS_MAX,
    NOTE_MAX,
    REFERENCE_MAX,
    REFERENCES_MAX,
    Key,
    Text,
)

if TYPE_CHECKING:
    from anbiao.core.compose import ComposedChecklist
    from anbiao.core.models.profile import Profile
    from anbiao.core.result import AssessmentResult

    # a sheet's score and what it was scored against
    KeptScore = tuple[ComposedChecklist, Profile, AssessmentResult]

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


class Changes(dict[str, Answer | None]):
    """The answers of a batch that differ from the stored ones (None clears one), each also as
    it will be stored (``stored``: its JSON, None when cleared), dumped once."""

    __slots__ = ("stored",)

    def __init__(self) -> None:
        super().__init__()
        self.stored: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Merged:
    """A sheet with changes merged in, as stored (JSON) and as its JSON text (validated: kept
    under its key)."""

    stored: dict[str, Any]
    text: str


@dataclass(slots=True)
class Kept:
    """A sheet kept by ``ValidatedSheets``: as stored, validated, as text, and its score."""

    stored: dict[str, Any]
    answers: dict[str, Answer]
    text: str | None  # the stored JSON text, when the answers were read or written as text
    scored: KeptScore | None = None  # this sheet's score, once scored (``Engine.score_kept``)
    # the score of the sheet this one was merged from and the items the merge changed
    base: tuple[KeptScore, tuple[str, ...]] | None = None


class ValidatedSheets:
    """Validated answers kept per key (an assessment, an application's frozen answers, a
    reviewer's scores), so that a save validates only the answers it changes and a read none;
    with them their score (``Engine.score_kept``), so that a read scores nothing either.
    A kept sheet is reused only while the stored answers equal the ones it was built from (read
    as JSON text: while the text is the one kept, which costs no decoding): any other writer, a
    rolled-back save, another worker — the stored answers are validated again.
    The least recently used sheet goes first when ``limit`` are kept (one of 210 answers holds
    about 130 KiB, its score about 25 KiB). Not thread-safe: one per event loop."""

    def __init__(self, limit: int = 512) -> None:
        self.limit = limit
        self._kept: OrderedDict[Hashable, Kept] = OrderedDict()

    def validated(self, key: Hashable, stored: dict[str, Any]) -> dict[str, Answer]:
        """The validated answers of ``stored`` (kept under ``key``; validated again when the
        stored answers are not the ones kept). Read-only: copy before changing it."""
        kept = self._kept.get(key)
        if kept is not None and (kept.stored is stored or kept.stored == stored):
            self._kept.move_to_end(key)
            return kept.answers
        answers = _validate(stored)
        self._keep(key, Kept(dict(stored), answers, None))
        return answers

    def read(self, key: Hashable, text: str) -> tuple[dict[str, Any], dict[str, Answer]]:
        """The stored answers of the JSON ``text`` and their validated answers: the kept ones
        while ``text`` is the text kept (nothing decoded, nothing validated), or, for a sheet
        kept from its decoded JSON (``validated``), while ``text`` decodes to it. Read-only."""
        kept = self._kept.get(key)
        if kept is not None and kept.text == text:
            self._kept.move_to_end(key)
            return kept.stored, kept.answers
        stored = from_json(text)
        if kept is not None and kept.text is None and kept.stored == stored:
            kept.text = text  # and its score, if scored, stays
            self._kept.move_to_end(key)
            return kept.stored, kept.answers
        answers = _validate(stored)
        self._keep(key, Kept(stored, answers, text))
        return stored, answers

    def merge(self, key: Hashable, stored: dict[str, Any], changes: Changes) -> Merged:
        """The sheet of ``stored`` with ``changes`` merged in, as stored and as JSON text."""
        answers = dict(self.validated(key, stored))
        scored = self._kept[key].scored
        merged = dict(stored)
        for item_id, answer in changes.items():
            if answer is None:
                answers.pop(item_id, None)
                merged.pop(item_id, None)
            else:
                answers[item_id] = answer
                merged[item_id] = changes.stored[item_id]
        text = to_json(merged).decode()
        base = (scored, tuple(changes)) if scored is not None else None
        self._keep(key, Kept(merged, answers, text, base=base))
        return Merged(merged, text)

    def kept(self, key: Hashable) -> Kept:
        """The sheet kept under ``key`` (just read, validated or merged)."""
        return self._kept[key]

    def _keep(self, key: Hashable, kept: Kept) -> None:
        self._kept[key] = kept
        self._kept.move_to_end(key)
        if len(self._kept) > self.limit:
            self._kept.popitem(last=False)


def _validate(stored: dict[str, Any]) -> dict[str, Answer]:
    return dict(AnswerSheet.model_validate({"answers": stored}).answers)


_BATCH: TypeAdapter[Mapping[str, Answer | None]] = TypeAdapter(Mapping[str, Answer | None])


def changed_answers(stored: dict[str, Any], batch: Mapping[str, Answer | None]) -> Changes:
    """The answers of ``batch`` (None clears one) that differ from the ``stored`` ones."""
    changed = Changes()
    dumped = _BATCH.dump_python(batch, mode="json", exclude_defaults=True)  # one call for all
    for item_id, answer in batch.items():
        if (value := dumped[item_id]) != stored.get(item_id):
            changed[item_id] = answer
            changed.stored[item_id] = value
    return changed


def sheet_of(answers: dict[str, Answer]) -> AnswerSheet:
    """A sheet of answers already validated (no second validation)."""
    return AnswerSheet.model_construct(answers=dict(answers), default=None)
