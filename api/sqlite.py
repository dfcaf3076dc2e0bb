"""Embedded SQLite as a served database: WAL, and the writers of a process in arrival order.

SQLite has one write lock per file. A transaction that may write begins ``IMMEDIATE`` and takes
it; one that only reads (``READ_ONLY``) begins deferred and never waits for it (WAL readers see
the last commit). SQLite's own busy handler makes waiting writers poll with growing sleeps: under
dozens of concurrent writers some lose every race and fail after ``busy_timeout`` while later
arrivals get through. So the writers of one process queue on an ``asyncio.Lock`` (first come,
first served) before ``BEGIN IMMEDIATE`` and leave it when their connection is back in the pool
(its COMMIT or ROLLBACK complete); the busy timeout remains for writers of other processes
(``--workers N``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.util import await_

from anbiao.api.db import READ_ONLY
from anbiao.core.errors import AnbiaoError

BUSY_TIMEOUT_MS = 5000  # a writer of another process
WRITE_WAIT_SECONDS = 30.0  # a writer of this process, in the queue
_HOLDS = "anbiao_writer"  # in the pool record's info: this connection holds the queue


class DatabaseBusy(AnbiaoError):
    """The write queue did not reach this request in time (503: try again)."""


def tune(engine: Engine) -> None:
    """Pragmas on connect; deferred or queued ``BEGIN IMMEDIATE`` on begin."""
    writers = asyncio.Lock()

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL",
                       f"busy_timeout={BUSY_TIMEOUT_MS}", "foreign_keys=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        if READ_ONLY.get():
            connection.exec_driver_sql("BEGIN")
            return
        held = connection.connection.record_info  # kept when the DBAPI connection is invalidated
        if not held.get(_HOLDS):  # a connection keeps its place across its own transactions
            try:
                await_(asyncio.wait_for(writers.acquire(), WRITE_WAIT_SECONDS))
            except TimeoutError:
                raise DatabaseBusy("数据库繁忙，请稍后重试 / the database is busy, try again"
                                   ) from None
            held[_HOLDS] = True
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def _checkin(_: Any, record: Any) -> None:
        """Back in the pool, after its COMMIT or ROLLBACK has completed: the next writer."""
        if record.record_info.pop(_HOLDS, False):
            writers.release()
