"""Request and response bodies of the JSON API (pydantic 2). Inputs reject unknown fields."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from anbiao.core.models._base import Integer
from anbiao.core.models.answers import Answer
from anbiao.core.models.profile import Profile

T = TypeVar("T")


MAX_BATCH = 1000


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _bounded(answers: dict[str, Any]) -> dict[str, Any]:
    if len(answers) > MAX_BATCH:
        raise ValueError(f"一次最多 {MAX_BATCH} 项 / at most {MAX_BATCH} answers per batch")
    return answers


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Output, Generic[T]):
    """One page of a list: ``items`` plus paging facts."""

    items: list[T]
    total: int
    limit: int
    offset: int


# --- accounts ------------------------------------------------------------------------------------


class SignUp(Input):
    """Register an enterprise and its first user (企业注册)."""

    email: Annotated[str, StringConstraints(
        strip_whitespace=True, min_length=3, max_length=254,
        pattern=r"^[^@\x00-\x20]+@[^@\x00-\x20]+$")]
    password: str = Field(min_length=10, max_length=200)
    name: str = Field(min_length=1, max_length=100)
    profile: Profile
    consultant: str = Field(default="", max_length=200, description="咨询机构 (for conflicts)")


class Login(Input):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(Output):
    access_token: str
    token_type: str = "Bearer"
    role: str
    user_id: UUID


class UserOut(Output):
    id: UUID
    email: str
    name: str
    role: str
    enterprise_id: UUID | None
    region_prefix: str
    domains: list[str]
    employer: str


# --- enterprises -----------------------------------------------------------------------------------


class EnterpriseOut(Output):
    id: UUID
    uscc: str
    name: str
    region: str
    industry: str
    profile: dict[str, Any]
    consultant: str
    version: Integer
    size_class: str
    warnings: list[str]


class ProfileUpdate(Input):
    """A new profile; ``version`` must be the one read (optimistic concurrency)."""

    version: Integer
    profile: Profile
    consultant: str | None = Field(default=None, max_length=200)


# --- assessments -----------------------------------------------------------------------------------


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


# --- applications ----------------------------------------------------------------------------------


class ActionIn(Input):
    """A workflow action; ``version`` must be the one read."""

    version: Integer
    reason: str = Field(default="", max_length=4000, description="Required to return or reject.")
    items: list[str] = Field(default_factory=list, description="Items reopened by a return.")
    reviewer_ids: list[UUID] = Field(default_factory=list, description="For 'assign'.")


class ReviewIn(Input):
    """A reviewer's item-level scores for the current cycle (merged into earlier ones)."""

    answers: dict[str, Answer | None]

    @field_validator("answers")
    @classmethod
    def _batch_size(cls, value: dict[str, Answer | None]) -> dict[str, Answer | None]:
        return _bounded(value)


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


class EventOut(Output):
    id: UUID
    created_at: datetime
    enterprise_id: UUID | None
    application_id: UUID | None
    actor_id: UUID | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


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


class FindingIn(Input):
    """A reviewer's finding (评审发现的问题), optionally tied to a checklist item or element."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    level: Literal["general", "major"] = Field(
        default="general", description="Hazard level: 一般 general or 重大 major.")
    item_id: str = Field(default="", max_length=96, description="The item it concerns, if any.")
    element: str = Field(default="", max_length=32,
                         description="The element code it concerns (e.g. 5.5.3); implied by the item.")
    location: str = Field(default="", max_length=200, description="Where on site (位置).")
    evidence: list[Annotated[str, StringConstraints(max_length=255)]] = Field(
        default_factory=list, max_length=20, description="Photo or evidence references.")


class FindingWithdraw(Input):
    """Withdraw a finding; ``version`` must be the one read."""

    version: Integer


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


class CertificateCheck(Output):
    """What anyone may see of a certificate (public verification)."""

    number: str
    enterprise_name: str
    grade: str
    status: str
    valid_until: date
    valid: bool
