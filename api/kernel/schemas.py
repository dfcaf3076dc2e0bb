"""The shared bases of request and response bodies (pydantic 2): inputs reject unknown fields;
pages of lists; the audit trail's events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
)

T = TypeVar("T")


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


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
