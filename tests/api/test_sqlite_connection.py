"""The served SQLite engine's connections: a statement takes one step into the connection's
thread, and answers as aiosqlite's cursor did (rows, row counts, row ids, errors)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from anbiao.api.kernel import sqlite
from anbiao.api.kernel.sqlite_connection import Connection


class CountedQueue:
    """A connection thread's queue, counting what is handed to the thread."""

    def __init__(self, queue: Any) -> None:
        self.queue, self.handed = queue, 0

    def put_nowait(self, item: Any) -> None:
        self.handed += 1
        self.queue.put_nowait(item)


def run(tmp_path, scenario):
    async def main() -> Any:
        engine = sqlite.create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.sqlite3'}")
        try:
            async with engine.connect() as connection:
                await connection.execute(
                    text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
                )
                await connection.commit()
                return await scenario(connection)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def test_a_statement_is_one_step_into_the_connection_thread(tmp_path):
    """aiosqlite's own cursor takes four (open, execute, fetch, close) under SQLAlchemy."""

    async def scenario(connection):
        raw = await connection.get_raw_connection()
        queue = raw.driver_connection._tx = CountedQueue(raw.driver_connection._tx)
        sent: list[str] = []
        event.listen(
            connection.sync_connection, "before_cursor_execute", lambda *a: sent.append(a[2])
        )
        await connection.execute(text("INSERT INTO t (v) VALUES ('a'), ('b')"))
        rows = (await connection.execute(text("SELECT id, v FROM t ORDER BY id"))).all()
        return queue.handed, sent, rows

    handed, sent, rows = run(tmp_path, scenario)
    assert rows == [(1, "a"), (2, "b")]
    assert sent[0] == "BEGIN IMMEDIATE"  # the writer's transaction (sqlite._tune)
    assert handed == len(sent) == 3


def test_a_read_sends_its_statement_only_and_a_write_no_rollback_after_its_commit(tmp_path):
    """A request that only reads runs in SQLite's autocommit: no BEGIN, and no COMMIT or
    ROLLBACK handed over; after a write's COMMIT, the pool's rollback is not handed over."""

    async def scenario(connection):
        raw = await connection.get_raw_connection()
        queue = raw.driver_connection._tx = CountedQueue(raw.driver_connection._tx)
        await connection.commit()
        engine = connection.engine
        sent: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
        await connection.close()
        handed = []
        for read_only, sql in (
            (True, "SELECT count(*) FROM t"),
            (False, "INSERT INTO t (v) VALUES ('a')"),
        ):
            sqlite.READ_ONLY.set(read_only)
            queue.handed = 0
            async with engine.begin() as each:
                await each.execute(text(sql))
            handed.append(queue.handed)
        sqlite.READ_ONLY.set(False)
        return sent, handed

    sent, handed = run(tmp_path, scenario)
    assert sent == ["SELECT count(*) FROM t", "BEGIN IMMEDIATE", "INSERT INTO t (v) VALUES ('a')"]
    assert handed == [1, 3]  # the read; BEGIN, INSERT and COMMIT


def test_a_rollback_asked_while_a_step_runs_waits_for_it(tmp_path):
    """A caller cancelled while its statement runs (it begins a transaction) must not leave the
    transaction open: the rollback asked meanwhile is handed over behind the statement, not
    skipped because no transaction was open yet."""
    started, release = threading.Event(), threading.Event()

    def slow_begin(connection: sqlite3.Connection) -> None:
        started.set()
        release.wait(timeout=30)
        connection.execute("BEGIN IMMEDIATE")

    async def scenario():
        connection = await Connection(str(tmp_path / "slow.sqlite3"))
        try:
            caller = asyncio.create_task(connection.run(slow_begin))
            await asyncio.to_thread(started.wait, 30)
            caller.cancel()
            rollback = asyncio.create_task(connection.rollback())
            release.set()
            await rollback
            return await connection.run(lambda c: c.in_transaction), caller.cancelled()
        finally:
            await connection.close()

    assert asyncio.run(scenario()) == (False, True)


def test_row_counts_row_ids_and_many_parameter_sets(tmp_path):
    async def scenario(connection):
        many = await connection.execute(
            text("INSERT INTO t (v) VALUES (:v)"), [{"v": "x"}, {"v": "y"}]
        )
        one = await connection.execute(text("INSERT INTO t (v) VALUES ('z')"))
        returned = await connection.execute(text("INSERT INTO t (v) VALUES ('w') RETURNING id, v"))
        updated = await connection.execute(text("UPDATE t SET v = v || '!' WHERE v IN ('x', 'y')"))
        return many.rowcount, one.lastrowid, returned.all(), updated.rowcount

    assert run(tmp_path, scenario) == (2, 3, [(4, "w")], 2)


def test_partial_fetches_take_the_rows_in_order(tmp_path):
    async def scenario(connection):
        await connection.execute(text("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')"))
        result = await connection.execute(text("SELECT v FROM t ORDER BY id"))
        return result.fetchone(), result.fetchmany(1), result.fetchall(), result.fetchall()

    assert run(tmp_path, scenario) == (("a",), [("b",)], [("c",)], [])


def test_a_refused_statement_raises_the_database_error_and_the_connection_goes_on(tmp_path):
    async def scenario(connection):
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        await connection.rollback()
        await connection.execute(text("INSERT INTO t (v) VALUES ('b')"))
        return (await connection.execute(text("SELECT v FROM t"))).scalars().all()

    assert run(tmp_path, scenario) == ["b"]
