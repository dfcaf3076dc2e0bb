"""The append-only audit trail (审计记录): one event per change."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, Unpack, cast
from uuid import UUID

from sqlalchemy import CTE, JSON, Insert, String, Table, Uuid, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeEngine
from uuid_utils.compat import uuid7  # the models' ids (advanced-alchemy[uuid])

from anbiao.api.kernel.models import (
    Event,
    User,
)

_EVENT = cast(Table, Event.__table__)
INSERT = insert(_EVENT)  # the hot paths' Core insert of an ``event`` row (column defaults apply)


class Facts(TypedDict, total=False):
    """What an event concerns and the change it records (before → after)."""

    enterprise_id: UUID | None
    application_id: UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _event(action: str, actor: User | None, facts: Facts) -> dict[str, Any]:
    return {"action": action, "actor_id": actor.id if actor else None, **facts}


def event(action: str, actor: User | None, **facts: Unpack[Facts]) -> dict[str, Any]:
    """An event to write with the change it records (``db.versioned_update``)."""
    return dict.fromkeys(_COLUMNS) | _event(action, actor, facts)


_COLUMNS = ("enterprise_id", "application_id", "actor_id", "action", "before", "after")
_TYPES: dict[str, TypeEngine[Any]] = {"action": String(), "before": JSON(), "after": JSON()}


def inserted_with(row: CTE) -> Insert:
    """The INSERT of an event (bound ``e_*`` parameters, ``params``) for each row of ``row``,
    a data-modifying CTE: written only if that write wrote."""
    values: list[BindParameter[Any]] = [
        bindparam(f"e_{c}", type_=_TYPES.get(c, Uuid())) for c in _COLUMNS
    ]
    now = bindparam("e__now", type_=_EVENT.c.created_at.type)
    columns = ["id", *_COLUMNS, "created_at", "updated_at"]
    return insert(_EVENT).from_select(
        columns, select(bindparam("e__id", type_=Uuid()), *values, now, now).select_from(row)
    )


def params(event: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The bound values of ``inserted_with`` for ``event``."""
    return {"e__id": uuid7(), "e__now": now, **{f"e_{c}": event[c] for c in _COLUMNS}}


def audit(session: AsyncSession, action: str, actor: User | None, **facts: Unpack[Facts]) -> None:
    """Add the event to the session (written with its flush)."""
    session.add(Event(**_event(action, actor, facts)))


async def record(
    connection: AsyncConnection, action: str, actor: User | None, **facts: Unpack[Facts]
) -> None:
    """Write the event now, one Core ``INSERT`` on ``connection`` (no ORM unit of work)."""
    await connection.execute(INSERT, _event(action, actor, facts))
