"""A connection pool whose waiting requests are served in arrival order.

SQLAlchemy's asyncio pool hands a returned connection to whoever asks next: a request arriving
just then takes it before those already waiting (``get_nowait`` first), and a waiter woken for
a connection another took goes to the back of the queue (``asyncio.Queue``). Under a steady load
past the pool, some requests lose that race again and again: with 64 clients on a pool of 20
the 50-answer save's p99 was 1.9 s against 0.42 s with a connection for each (2026-12-06,
docs/benchmarks.md), and the churn of wake-ups cost CPU as well. Here a FIFO semaphore with as
many turns as the pool has connections (and overflow) comes first: a request past it waits
for its turn in order, and then always finds a connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import exc
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_


class FairPool(AsyncAdaptedQueuePool):
    """``AsyncAdaptedQueuePool`` with its waiters in arrival order (``asyncio.Semaphore`` hands a
    released turn to the longest waiting)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turns = asyncio.Semaphore(self.size() + max(self._max_overflow, 0))

    def _do_get(self) -> ConnectionPoolEntry:
        if self._max_overflow < 0:  # no limit: nobody waits
            return super()._do_get()
        try:
            if self._turns.locked():  # wait for a turn (a timer only then: it costs a task)
                await_(asyncio.wait_for(self._turns.acquire(), self._timeout))
            else:
                await_(self._turns.acquire())
        except TimeoutError:
            raise exc.TimeoutError(
                f"no database connection within {self._timeout:.0f} s "
                f"(pool of {self.size()}, overflow {self._max_overflow})",
                code="3o7r",
            ) from None
        try:
            return super()._do_get()
        except BaseException:
            self._turns.release()
            raise

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        try:
            super()._do_return_conn(record)
        finally:
            if self._max_overflow >= 0:
                self._turns.release()
