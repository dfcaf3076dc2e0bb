"""A guard over every API test: no request writes part of a change.

Requests that run outside a transaction (``anbiao.api.kernel.db``: safe requests on both
databases, and on PostgreSQL the actions whose writes are one statement) are atomic only while
they send at most one data-modifying statement; a safe request sends none (on SQLite it holds no
writer's lock). Every statement the tests' apps send is watched (class-level SQLAlchemy
listeners); a test fails when one of its requests broke the rule, whatever it asserted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from support_api import ran_in_transaction

from anbiao.api.kernel.sqlite import READ_ONLY

_WRITE = re.compile(r"\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b", re.IGNORECASE)
_COUNT = "anbiao_autocommit_writes"
broken: list[str] = []  # what the current test's requests broke


def _checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    record.info[_COUNT] = 0  # a checkout is a request's connection


def _after_execute(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    if not _WRITE.search(statement) or ran_in_transaction(conn.connection.driver_connection):
        return
    if READ_ONLY.get():
        broken.append(f"a safe request wrote: {statement[:120]}")
        return
    writes = conn.info[_COUNT] = conn.info.get(_COUNT, 0) + 1
    if writes > 1:
        broken.append(f"write {writes} outside a transaction: {statement[:120]}")


@pytest.fixture(scope="session")
def _watched() -> Iterator[None]:
    """The listeners, once per process (the API's and the pages' conftest each hold this
    fixture: the first to start adds them, and removes them when the session ends)."""
    if event.contains(Engine, "after_cursor_execute", _after_execute):
        yield
        return
    event.listen(Pool, "checkout", _checkout)
    event.listen(Engine, "after_cursor_execute", _after_execute)
    yield
    event.remove(Engine, "after_cursor_execute", _after_execute)
    event.remove(Pool, "checkout", _checkout)


@pytest.fixture(autouse=True)
def atomic_requests(_watched: None) -> Iterator[None]:
    """Fails the test if a request of it wrote part of a change outside a transaction."""
    broken.clear()
    yield
    assert not broken, broken
