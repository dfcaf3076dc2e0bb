"""The append-only audit trail (审计记录): one event per change."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack, cast
from uuid import UUID

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from anbiao.api.kernel.models import (
    Event,
    User,
)

_INSERT = insert(cast(Table, Event.__table__))  # the hot paths' Core insert (column defaults apply)


class Facts(TypedDict, total=False):
    """What an event concerns and the change it records (before → after)."""

    enterprise_id: UUID | None
    application_id: UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _event(action: str, actor: User | None, facts: Facts) -> dict[str, Any]:
    return {"action": action, "actor_id": actor.id if actor else None, **facts}


def audit(session: AsyncSession, action: str, actor: User | None, **facts: Unpack[Facts]) -> None:
    """Add the event to the session (written with its flush)."""
    session.add(Event(**_event(action, actor, facts)))


async def record(
    connection: AsyncConnection, action: str, actor: User | None, **facts: Unpack[Facts]
) -> None:
    """Write the event now, one Core ``INSERT`` on ``connection`` (no ORM unit of work)."""
    await connection.execute(_INSERT, _event(action, actor, facts))
