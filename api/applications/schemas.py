"""Request and response bodies of applications, reviews and findings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from anbiao.api.kernel.limits import (
    BATCH_MAX,
    FINDING_REFERENCES_MAX,
    KEY_MAX,
    REVIEWERS_MAX,
    Batch,
    ElementCode,
    FindingText,
    Key,
    Location,
    Reason,
    Reference,
    Version,
)
from anbiao.api.kernel.schemas import Input, Output
from anbiao.core.models._base import Integer
from anbiao.core.models.text import Text


class ActionIn(Input):
    """A workflow action; ``version`` must be the one read."""

    version: Version
    reason: Reason = Field(default="", description="Required to return, reject or revoke.")
    items: list[Key] = Field(
        default_factory=list, max_length=BATCH_MAX, description="Items reopened by a return."
    )
    reviewer_ids: list[UUID] = Field(
        default_factory=list, max_length=REVIEWERS_MAX, description="For 'assign'."
    )


class ReviewIn(Input):
    """A reviewer's item-level scores for the current cycle (merged into earlier ones)."""

    answers: Batch


class ApplicationOut(Output):
    id: UUID
    enterprise_id: UUID
    assessment_id: UUID
    region: str
    industry: str
    state: str
    cycle: int
    fingerprint: str
    self_result: dict[str, Any]
    review_result: dict[str, Any] | None
    reasons: str
    reopened_items: list[str]
    submitted_on: date | None
    due_on: date | None
    overdue: bool
    version: Integer
    allowed_actions: list[str]
    reviewers: list[UUID]


class ItemDelta(Output):
    item_id: str
    self_status: str | None
    self_earned: int
    review_status: str | None
    review_earned: int | None
    delta: int | None


class ComparisonOut(Output):
    """Self-assessment against the reviewers' scores, item by item and in total."""

    self_earned: int
    self_applicable: int
    self_percentage: str
    review_earned: int | None
    review_applicable: int | None
    review_percentage: str | None
    items: list[ItemDelta]


class FindingIn(Input):
    """A reviewer's finding (评审发现的问题), optionally tied to a checklist item or element."""

    text: FindingText
    level: Literal["general", "major"] = Field(
        default="general", description="Hazard level: 一般 general or 重大 major."
    )
    item_id: Text(KEY_MAX) = Field(default="", description="The item it concerns, if any.")
    element: ElementCode = Field(
        default="", description="The element code it concerns (e.g. 5.5.3); implied by the item."
    )
    location: Location = Field(default="", description="Where on site (位置).")
    evidence: list[Reference] = Field(
        default_factory=list,
        max_length=FINDING_REFERENCES_MAX,
        description="Photo or evidence references.",
    )


class FindingWithdraw(Input):
    """Withdraw a finding; ``version`` must be the one read."""

    version: Version


class FindingOut(Output):
    id: UUID
    application_id: UUID
    enterprise_id: UUID
    cycle: int
    author_id: UUID
    item_id: str
    element: str
    text: str
    level: str
    location: str
    evidence: list[str]
    state: str = Field(description="open, withdrawn, or raised (now the hazard `hazard_id`).")
    hazard_id: UUID | None
    version: Integer
    created_at: datetime
