"""SQL statements per request, counted in process: the app is called through Litestar's test
client (no server, no load) with an SQLAlchemy ``before_cursor_execute`` listener on its engine.
Nothing is added to the service: the listener exists only in this process. Each operation runs
twice and the second, warm run is counted (the token's account is then cached, as under load).
Transaction control that the driver sends itself (asyncpg's BEGIN and COMMIT) is not a cursor
statement and is not counted; on SQLite the ``BEGIN`` / ``BEGIN IMMEDIATE`` the service sends is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import ceiling_app
from litestar import Litestar
from litestar.testing import AsyncTestClient
from load import ANBIAO, CEILING, QUEUE, Plans, Writes
from servers import SECRET
from sqlalchemy import event
from sqlalchemy.engine import Engine
from workflow import Firm

from anbiao.api.app import create_app
from anbiao.api.kernel.settings import Settings

Client = AsyncTestClient[Litestar]
Send = Callable[[], Awaitable[Any]]
Prepare = Callable[[Client], Awaitable[Send]]  # reads what the request needs, returns it


async def count(
    app: Litestar, engine: Engine, operations: dict[str, Prepare]
) -> dict[str, tuple[int, int]]:
    """Per operation: (statements, bytes of the response body)."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    counts: dict[str, tuple[int, int]] = {}
    async with AsyncTestClient(app, base_url="http://127.0.0.1") as client:
        event.listen(engine, "before_cursor_execute", listen)
        try:
            for name, prepare in operations.items():
                await (await prepare(client))()
                send = await prepare(client)
                seen.clear()
                response = await send()
                if response.status_code not in (200, 201):
                    raise RuntimeError(f"{name}: {response.status_code} {response.text[:300]}")
                counts[name] = (len(seen), len(response.content))
        finally:
            event.remove(engine, "before_cursor_execute", listen)
    return counts


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def save(writes: Writes, firm: Firm, sets: list[dict[str, Any]]) -> Prepare:
    """Saves of the next answer set, each with the version read before it."""
    answers = iter(sets)

    async def prepare(client: Client) -> Send:
        read = await client.get(writes.read(firm.assessment_id), headers=bearer(firm.token))
        body = {"version": read.json()["version"], "answers": next(answers)}
        path = f"{writes.prefix}{firm.assessment_id}{writes.suffix}"
        return lambda: client.patch(path, json=body, headers=bearer(firm.token))

    return prepare


def get(path: str, token: str) -> Prepare:
    async def prepare(client: Client) -> Send:
        return lambda: client.get(path, headers=bearer(token))

    return prepare


def anbiao_statements(url: str, plans: Plans) -> dict[str, tuple[int, int]]:
    """Checklist read, reviewer queue, 50-answer save, autosave of a new answer."""
    app = create_app(Settings(database_url=url, secret_key=SECRET))
    filled, empty = plans.patch[-1], plans.fresh[-1]
    toggle = [plans.answers.toggle[1], plans.answers.toggle[0]]  # the second one changes answers
    operations: dict[str, Prepare] = {
        "checklist": get(f"/api/v1/assessments/{filled.assessment_id}/checklist", filled.token),
        "reviewer queue": get(QUEUE, plans.queue[0]),
        "batch save": save(ANBIAO, filled, toggle),
        "autosave": save(ANBIAO, empty, plans.answers.singles[-2:]),  # items wrk left unanswered
    }
    engine = app.state.db_config.get_engine().sync_engine
    return asyncio.run(count(app, engine, operations))


def ceiling_statements(url: str, plans: Plans) -> dict[str, tuple[int, int]]:
    """The ceiling's read and write."""
    app = ceiling_app.create_app(url, SECRET)
    firm = plans.patch[-1]
    operations: dict[str, Prepare] = {
        "ceiling read": get(CEILING.read(firm.assessment_id), firm.token),
        "ceiling write, 50 answers": save(CEILING, firm, list(plans.answers.toggle)),
        "ceiling write, 1 answer": save(CEILING, firm, plans.answers.singles[:2]),
    }
    return asyncio.run(count(app, app.state.engine.sync_engine, operations))
