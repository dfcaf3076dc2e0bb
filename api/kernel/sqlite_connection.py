"""aiosqlite connections whose statements each take one step into the connection's thread.

aiosqlite runs SQLite in a thread per connection and hands it each call: SQLAlchemy's adapter
makes four per statement (open a cursor, execute, fetch the rows, close the cursor), each a
queue hand-over and an event-loop wake-up — some 0.1 ms of CPU for a statement SQLite runs in
a few microseconds. Here a statement's cursor is opened, executed, read and closed in one
hand-over; its rows and facts (description, row count, last row id) come back together.
A commit or rollback with no transaction open (a read in SQLite's autocommit, the pool's
rollback after a commit) is not handed over at all. Everything else (close, the thread) is
aiosqlite's.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

Done = tuple[Any, int, int | None, list[Any]]  # description, row count, last row id, rows


def _execute(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> Done:
    """In the connection's thread: one statement, start to finish."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, cursor.fetchall()
    finally:
        cursor.close()


def _observed(step: asyncio.Future[Any]) -> None:
    """A step's error is its caller's, or nobody's once the caller was cancelled (then asyncio
    would log it as never retrieved)."""
    if not step.cancelled():
        step.exception()


class Cursor:
    """The part of aiosqlite's cursor SQLAlchemy's adapter uses; rows are kept after the
    statement ran (SQLAlchemy's adapter reads them all at once too)."""

    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        return await self._run(sql, () if parameters is None else parameters, many=False)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        return await self._run(sql, parameters, many=True)

    async def _run(self, sql: str, parameters: Any, *, many: bool) -> Cursor:
        done: Done = await self._connection.run(_execute, sql, parameters, many)
        self.description, self.rowcount, self.lastrowid, rows = done
        self._rows = deque(rows)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(self.arraysize if size is None else size, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


class Connection(aiosqlite.Connection):
    """An aiosqlite connection with one-step cursors; its thread does not keep the process
    alive (as SQLAlchemy sets for the connections it opens itself)."""

    def __init__(self, database: str, **options: Any) -> None:
        # used in its thread only, but whether a transaction is open is read from the loop
        options["check_same_thread"] = False
        super().__init__(partial(sqlite3.connect, database, **options), iter_chunk_size=64)
        self._thread.daemon = True
        self._step: asyncio.Future[Any] | None = None  # the last step handed over

    def cursor(self) -> Cursor:  # type: ignore[override]  # used as ``async with`` only
        return Cursor(self)

    async def run(self, step: Any, *args: Any) -> Any:
        """``step(sqlite3_connection, *args)`` in the connection's thread. A cancelled caller
        stops waiting, not the step: ``_step`` is done only once the thread has finished it."""
        if not self._running:
            raise ValueError("Connection closed")
        self._step = asyncio.get_running_loop().create_future()
        self._step.add_done_callback(_observed)
        self._tx.put_nowait((self._step, partial(step, self._conn, *args)))
        return await asyncio.shield(self._step)

    def _idle(self) -> bool:
        """No step running and no transaction open: nothing to commit or roll back."""
        step = self._step
        return (step is None or step.done()) and not self._conn.in_transaction

    async def commit(self) -> None:
        if not self._idle():
            await self.run(sqlite3.Connection.commit)

    async def rollback(self) -> None:
        if not self._idle():
            await self.run(sqlite3.Connection.rollback)
