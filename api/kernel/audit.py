"""The append-only audit trail (审计记录): one event per change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.kernel.models import (
    Event,
    User,
)


def audit(
    session: AsyncSession,
    action: str,
    actor: User | None,
    *,
    enterprise_id: UUID | None = None,
    application_id: UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        Event(
            action=action,
            actor_id=actor.id if actor else None,
            before=before,
            after=after,
            enterprise_id=enterprise_id,
            application_id=application_id,
        )
    )
