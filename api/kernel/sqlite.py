"""Embedded SQLite as a served database: WAL, and the writers of a process in arrival order.

SQLite has one write lock per file. A transaction that may write begins ``IMMEDIATE`` and takes
it; a request that only reads (``READ_ONLY``) begins no transaction: each of its statements sees
the last commit (WAL readers never wait), as a read in autocommit does on PostgreSQL. SQLite's
own busy handler makes waiting writers poll with growing sleeps: under dozens of concurrent
writers some lose every race and fail after ``busy_timeout`` while later arrivals get through.
So writers queue before ``BEGIN IMMEDIATE`` and leave the queue when their connection is back in
the pool (its COMMIT or ROLLBACK complete):

* the writers of one process on an ``asyncio.Lock`` (first come, first served);
* its current writer and those of other processes (``--workers N``) on an exclusive ``flock``
  of a file beside the database: taken at once when free, else waited for in a thread (the
  kernel wakes the next waiter when the holder lets go, where SQLite's busy handler would poll
  and could starve one process).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from contextvars import ContextVar
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: processes meet at SQLite's busy timeout only
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import event, make_url
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import await_

from anbiao.api.kernel.sqlite_connection import Connection
from anbiao.core.errors import AnbiaoError, Message

# A hint for SQLite: a request that only reads begins no transaction (no write lock, WAL readers
# never wait); every other one begins IMMEDIATE. Set for safe requests and the token's user lookup.
READ_ONLY: ContextVar[bool] = ContextVar("anbiao_read_only", default=False)

BUSY_TIMEOUT_MS = 5000  # a writer of a process that does not take the file lock
WRITE_WAIT_SECONDS = 30.0  # a writer, in the queue
_HOLDS = "anbiao_writer"  # in the pool record's info: this connection holds the queue
_FILE = "anbiao_writer_file"  # … and the open lock file (closing it lets go)


class DatabaseBusy(AnbiaoError):
    """The write queue did not reach this request in time (503: try again)."""


def _busy() -> DatabaseBusy:
    return DatabaseBusy.of([Message("server.busy")])


async def _lock_file(path: str, timeout: float) -> int:
    """The file lock of all processes' writers; its descriptor (closing it lets go). Taken at
    once when no other process holds it; else waited for in a thread."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with contextlib.suppress(BlockingIOError):  # held by another process: wait below
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return descriptor
    granted = asyncio.get_running_loop().run_in_executor(
        None, fcntl.flock, descriptor, fcntl.LOCK_EX
    )
    try:
        await asyncio.wait_for(asyncio.shield(granted), timeout)
    except BaseException as error:  # too long, or the request was cancelled: let go when granted
        granted.add_done_callback(lambda _: os.close(descriptor))
        raise _busy() if isinstance(error, TimeoutError) else error from None
    return descriptor


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """The engine of a served SQLite database: connections whose statements take one step
    into their thread (``sqlite_connection``), tuned by ``_tune``."""
    (database,), connect = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
    engine = create_async_engine(
        url, async_creator=lambda: Connection(database, **connect), **options
    )
    _tune(engine.sync_engine)
    return engine


def _tune(engine: Engine) -> None:
    """Pragmas on connect; on begin nothing for a read (autocommit), else a queued
    ``BEGIN IMMEDIATE``."""
    writers = asyncio.Lock()
    database = engine.url.database
    lock_path = (
        f"{database}-writers"
        if fcntl is not None
        and database
        and database != ":memory:"
        and not database.startswith("file:")
        else None
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            "foreign_keys=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        if READ_ONLY.get():
            return  # SQLite's autocommit: no BEGIN (nor, then, a COMMIT or ROLLBACK) to send
        held = connection.connection.record_info  # kept when the DBAPI connection is invalidated
        if not held.get(_HOLDS):  # a connection keeps its place across its own transactions
            loop = asyncio.get_running_loop()
            deadline = loop.time() + WRITE_WAIT_SECONDS
            try:
                await_(asyncio.wait_for(writers.acquire(), WRITE_WAIT_SECONDS))
            except TimeoutError:
                raise _busy() from None
            try:
                if lock_path is not None:
                    held[_FILE] = await_(_lock_file(lock_path, deadline - loop.time()))
            except BaseException:
                writers.release()
                raise
            held[_HOLDS] = True
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def _checkin(_: Any, record: Any) -> None:
        """Back in the pool, after its COMMIT or ROLLBACK has completed: the next writer."""
        if (descriptor := record.record_info.pop(_FILE, None)) is not None:
            os.close(descriptor)
        if record.record_info.pop(_HOLDS, False):
            writers.release()
