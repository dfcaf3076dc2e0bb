"""API test fixtures: a fresh database per test (SQLite file, or PostgreSQL when
ANBIAO_TEST_DATABASE_URL is set), a settable clock, a client that logs in as anyone, and the
guard that no request writes part of a change (``support_atomic``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient
from support_api import Api, Clock, fresh_database, make_app
from support_atomic import _watched, atomic_requests

from anbiao.core.engine import Engine

__all__ = ["_watched", "atomic_requests"]


@pytest.fixture(scope="session")
def core_engine() -> Engine:
    engine = Engine.from_plugins(load_entrypoints=False)
    assert engine.catalog.packs  # load once per worker
    return engine


@pytest.fixture
def database_url(tmp_path, worker_id) -> str:
    return fresh_database(tmp_path, worker_id)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(database_url, core_engine, clock) -> Iterator[Api]:
    with TestClient(make_app(database_url, core_engine, clock)) as client:
        yield Api(client, clock)


def pytest_terminal_summary(terminalreporter) -> None:
    """How many cases schemathesis generated in this run (tests/api/test_schemathesis.py)."""
    reports = terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
    counts = [
        value
        for report in reports
        if report.when == "call"
        for name, value in report.user_properties
        if name == "schemathesis_cases"
        for value in [len(value)]
    ]
    if counts:
        terminalreporter.write_line(f"schemathesis: {sum(counts)} cases in {len(counts)} items")
