"""The shared bases of request and response bodies (pydantic 2): inputs reject unknown fields;
pages of lists; the audit trail's events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

T = TypeVar("T")


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CodedOut(Output):
    """A coded message, as a problem document's ``errors`` are: its code, its parameters and
    its text in the request's language (``Accept-Language``)."""

    code: str = Field(description="stable message code (docs/api.md lists them)")
    params: dict[str, Any]
    message: str


class Page(Output, Generic[T]):
    """One page of a list: ``items`` plus paging facts."""

    items: list[T]
    total: int
    limit: int
    offset: int


# --- accounts ------------------------------------------------------------------------------------


# --- enterprises ----------------------------------------------------------------------------------


# --- assessments ----------------------------------------------------------------------------------


# --- applications ---------------------------------------------------------------------------------


class EventOut(Output):
    id: UUID
    created_at: datetime
    enterprise_id: UUID | None
    application_id: UUID | None
    actor_id: UUID | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
