"""A connection pool whose waiting requests are served in arrival order.

SQLAlchemy's asyncio pool hands a returned connection to whoever asks next: a request arriving
just then takes it before those already waiting (``get_nowait`` first), and a waiter woken for
a connection another took goes to the back of the queue (``asyncio.Queue``). Under a steady load
past the pool, some requests lose that race again and again: with 64 clients on a pool of 20
the 50-answer save's p99 was 1.9 s against 0.42 s with a connection for each (2026-12-06,
docs/benchmarks.md), and the churn of wake-ups cost CPU as well. Here a queue of turns, as
many as the pool has connections (and overflow), comes first: a request past them waits for
its turn in arrival order, and then always finds a connection.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from sqlalchemy import exc
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_


class FairPool(AsyncAdaptedQueuePool):
    """``AsyncAdaptedQueuePool`` with its waiters in arrival order: a request takes a turn
    before a connection, a returned turn goes to the longest waiting. A future and a timer
    per wait (``asyncio.wait_for`` would cost a task each)."""

    # SQLAlchemy's pool messages stay under its own logger (``echo_pool``), not ``anbiao``'s
    _sqla_logger_namespace = "sqlalchemy.pool.impl.AsyncAdaptedQueuePool"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._free = self.size() + self._max_overflow  # turns; unlimited overflow: no turns
        self._waiting: deque[asyncio.Future[None]] = deque()

    def _do_get(self) -> ConnectionPoolEntry:
        if self._max_overflow >= 0:
            self._take_turn()
        try:
            return super()._do_get()
        except BaseException:
            self._give_turn()
            raise

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        try:
            super()._do_return_conn(record)
        finally:
            self._give_turn()

    def _take_turn(self) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        loop = asyncio.get_running_loop()
        turn = loop.create_future()
        self._waiting.append(turn)
        timer = loop.call_later(self._timeout, _expire, turn)
        try:
            await_(turn)
        except BaseException:
            if turn.done() and not turn.cancelled() and turn.exception() is None:
                self._give_turn()  # handed over, but the request is gone: the next one's
            raise
        finally:
            timer.cancel()

    def _give_turn(self) -> None:
        if self._max_overflow < 0:
            return
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():  # neither timed out nor cancelled
                turn.set_result(None)
                return
        self._free += 1


def _expire(turn: asyncio.Future[None]) -> None:
    if not turn.done():
        turn.set_exception(
            exc.TimeoutError("no database connection in time: the pool stayed full", code="3o7r")
        )
