"""Liveness and readiness probes (no auth, no logging of bodies)."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@get("/health", operation_id="health", exclude_from_auth=True, tags=["system"])
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/ready", operation_id="ready", exclude_from_auth=True, tags=["system"])
async def ready(db_session: NamedDependency[AsyncSession]) -> dict[str, str]:
    """The database answers."""
    await db_session.execute(text("SELECT 1"))
    return {"status": "ready"}
