"""The DB-backed ceiling of the service benchmark (issue 11, yardstick 2).

A minimal Litestar app under the same server and settings as ``anbiao serve``: Litestar's own
``JWTAuth`` decodes anbiao's bearer token (same secret, HS256, no account lookup), then

- ``GET /ceiling/assessments/{id}``: one pooled SQLAlchemy Core ``select`` of one assessment row by
  primary key, answered as JSON (~2 kB: the row without its answers); on PostgreSQL in
  autocommit (until 2026-12-06 it sent SQLAlchemy's default BEGIN and ROLLBACK around it);
- ``PATCH /ceiling/assessments/{id}/answers``: one transaction with a versioned
  ``UPDATE … WHERE id = :id AND version = :v RETURNING version`` and one audit ``INSERT`` holding
  the sent answers; 409 when the version is stale.

Uvicorn runs it as a factory (``ceiling_app:create_app``); ``ANBIAO_DATABASE_URL`` and
``ANBIAO_SECRET_KEY`` as for the service. On SQLite the engine is made as the service's
(``anbiao.api.kernel.sqlite.create_engine``: its connections, pragmas and writer queue), so both
run statements and wait for the write lock alike; on both databases its pool of 20 is the
service's kind (``anbiao.api.kernel.pool.FairPool``: waiters in arrival order).
"""

from __future__ import annotations

import os
from typing import Any
from uuid import UUID

from litestar import Litestar, Request, get, patch
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import ClientException, NotFoundException
from litestar.security.jwt import JWTAuth, Token
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from anbiao.api.kernel import sqlite
from anbiao.api.kernel.models import Assessment, Event
from anbiao.api.kernel.pool import FairPool

ROW = select(
    Assessment.id,
    Assessment.enterprise_id,
    Assessment.version,
    Assessment.fingerprint,
    Assessment.profile,
    Assessment.packs,
    Assessment.created_at,
    Assessment.updated_at,
).where(Assessment.id == bindparam("id"))
BUMP = (
    update(Assessment)
    .where(Assessment.id == bindparam("key"), Assessment.version == bindparam("v"))
    .values(version=Assessment.version + 1, updated_at=func.now())
    .returning(Assessment.version, Assessment.enterprise_id)
)
AUDIT = insert(Event)


async def _subject(token: Token, _: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The token's subject, as is: the ceiling reads no account."""
    return token.sub


@get("/ceiling/assessments/{assessment_id:uuid}")
async def read(assessment_id: UUID, state: State) -> dict[str, Any]:
    engine: AsyncEngine = state.engine
    sqlite.READ_ONLY.set(True)
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":  # one statement: no BEGIN and ROLLBACK around it
            await conn.execution_options(isolation_level="AUTOCOMMIT")
        row = (await conn.execute(ROW, {"id": assessment_id})).mappings().first()
    if row is None:
        raise NotFoundException()
    return dict(row)


@patch("/ceiling/assessments/{assessment_id:uuid}/answers")
async def write(
    assessment_id: UUID, data: dict[str, Any], request: Request[str, Token, State]
) -> dict[str, Any]:
    engine: AsyncEngine = request.app.state.engine
    sqlite.READ_ONLY.set(False)
    async with engine.begin() as conn:
        row = (await conn.execute(BUMP, {"key": assessment_id, "v": data["version"]})).first()
        if row is None:
            raise ClientException(status_code=409, detail="stale version")
        await conn.execute(
            AUDIT,
            {
                "enterprise_id": row.enterprise_id,
                "actor_id": UUID(request.user),
                "action": "assessment.answers_saved",
                "after": data["answers"],
            },
        )
    return {"id": str(assessment_id), "version": row.version}


def create_app(url: str = "", secret: str = "") -> Litestar:
    """The app; ``url`` and ``secret`` default to the service's environment variables."""
    url = url or os.environ["ANBIAO_DATABASE_URL"]
    connect = sqlite.create_engine if url.startswith("sqlite") else create_async_engine
    engine = connect(url, poolclass=FairPool, pool_size=20, max_overflow=0)
    auth = JWTAuth[str](
        token_secret=secret or os.environ["ANBIAO_SECRET_KEY"], retrieve_user_handler=_subject
    )
    return Litestar(
        route_handlers=[read, write],
        on_app_init=[auth.on_app_init],
        state=State({"engine": engine}),
        on_shutdown=[engine.dispose],
    )
