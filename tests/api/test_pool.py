"""The connection pool serves waiting requests in arrival order (``anbiao.api.kernel.pool``)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import create_async_engine

from anbiao.api.kernel.pool import FairPool


def test_a_returned_connection_goes_to_the_longest_waiting_not_to_a_newcomer(tmp_path):
    """SQLAlchemy's own asyncio pool gives it to a request asking just then, before those
    already waiting; under steady load some requests lose that race again and again."""

    async def scenario() -> list[str]:
        url = f"sqlite+aiosqlite:///{tmp_path / 'pool.sqlite3'}"
        engine = create_async_engine(url, poolclass=FairPool, pool_size=1, max_overflow=0)
        order: list[str] = []

        async def use(name: str) -> None:
            async with engine.connect() as connection:
                order.append(name)
                await connection.execute(text("SELECT 1"))

        holder = await engine.connect()
        waiting = [asyncio.create_task(use(name)) for name in ("first", "second")]
        while len(engine.pool._waiting) < 2:  # both queued for a turn
            await asyncio.sleep(0)
        await holder.close()  # its connection back in the pool …
        await use("newcomer")  # … and asked for again at once, in the same step
        await asyncio.gather(*waiting)
        await engine.dispose()
        return order

    assert asyncio.run(scenario()) == ["first", "second", "newcomer"]


def test_a_request_that_waits_past_the_timeout_gets_the_pool_timeout(tmp_path):
    async def scenario() -> None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'pool.sqlite3'}"
        engine = create_async_engine(
            url, poolclass=FairPool, pool_size=1, max_overflow=0, pool_timeout=0.01
        )
        holder = await engine.connect()
        try:
            with pytest.raises(exc.TimeoutError):
                await engine.connect()
        finally:
            await holder.close()
        async with engine.connect() as connection:  # the turn given back: served again
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1
        await engine.dispose()

    asyncio.run(scenario())


def test_a_request_cancelled_while_waiting_gives_up_its_place_not_a_turn(tmp_path):
    async def scenario() -> int:
        url = f"sqlite+aiosqlite:///{tmp_path / 'pool.sqlite3'}"
        engine = create_async_engine(url, poolclass=FairPool, pool_size=1, max_overflow=0)
        holder = await engine.connect()
        gone = asyncio.create_task(engine.connect().start())
        while not engine.pool._waiting:
            await asyncio.sleep(0)
        gone.cancel()
        await holder.close()
        for _ in range(3):  # the one turn serves request after request
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        free = engine.pool._free
        await engine.dispose()
        return free

    assert asyncio.run(scenario()) == 1


def test_the_pool_logs_under_sqlalchemys_logger_not_the_services(tmp_path):
    """The service's loggers (``anbiao``) log at INFO; SQLAlchemy's pool messages (every
    dispose, and each checkout at DEBUG) follow SQLAlchemy's own logging (``echo_pool``)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'pool.sqlite3'}"
    engine = create_async_engine(url, poolclass=FairPool)
    assert engine.pool.logger.name == "sqlalchemy.pool.impl.AsyncAdaptedQueuePool"
