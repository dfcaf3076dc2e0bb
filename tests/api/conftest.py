"""API test fixtures: a fresh database per test (SQLite file, or PostgreSQL when
ANBIAO_TEST_DATABASE_URL is set), a settable clock, and a client that logs in as anyone."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import create_async_engine

from anbiao.api.app import create_app
from anbiao.api.db import Role
from anbiao.api.settings import Settings
from anbiao.core.engine import Engine
from support import make_profile

PG_ENV = "ANBIAO_TEST_DATABASE_URL"
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def core_engine() -> Engine:
    engine = Engine.from_plugins(load_entrypoints=False)
    engine.catalog  # load once per worker
    return engine


@pytest.fixture
def database_url(tmp_path, worker_id) -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    name = f"anbiao_test_{worker_id}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")

    async def reset() -> None:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        await admin.dispose()

    asyncio.run(reset())
    yield base.rsplit("/", 1)[0] + f"/{name}"


@dataclass
class Clock:
    today: date = field(default_factory=lambda: date(2026, 3, 2))

    def __call__(self) -> date:
        return self.today

    def advance(self, days: int) -> None:
        self.today += timedelta(days=days)


class Api:
    """A test client that remembers tokens per e-mail and raises on unexpected statuses."""

    def __init__(self, client: TestClient[Any], clock: Clock) -> None:
        self.client, self.clock = client, clock
        self.tokens: dict[str, str] = {}

    def login(self, email: str) -> dict[str, str]:
        if email not in self.tokens:
            r = self.client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            assert r.status_code == 201 or r.status_code == 200, r.text
            self.tokens[email] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[email]}"}

    def call(self, method: str, path: str, as_: str | None = None, expect: int = 200, **kw: Any):
        headers = self.login(as_) if as_ else {}
        r = self.client.request(method, path, headers=headers, **kw)
        assert r.status_code == expect, f"{method} {path} as {as_}: {r.status_code} {r.text}"
        return r.json() if r.headers.get("content-type", "").endswith("json") else r.text

    def signup(self, email: str, consultant: str = "", **profile: Any) -> dict[str, Any]:
        body = {"email": email, "password": PASSWORD, "name": "安全员", "consultant": consultant,
                "profile": make_profile(**profile).model_dump(mode="json")}
        r = self.client.post("/api/v1/auth/signup", json=body)
        assert r.status_code == 201, r.text
        self.tokens[email] = r.json()["access_token"]
        return self.call("GET", "/api/v1/auth/me", email)

    def user(self, email: str, role: Role, **fields: Any) -> None:
        """Create a reviewer or admin directly (as `anbiao users create` does)."""
        from anbiao.api import services

        async def create() -> None:
            config = self.client.app.state.db_config
            async with config.get_session() as session:
                await services.create_user(session, email=email, password=PASSWORD,
                                           name=email.split("@")[0], role=role, **fields)
                await session.commit()

        with self.client.portal() as portal:
            portal.call(create)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(database_url, core_engine, clock) -> Iterator[Api]:
    settings = Settings(database_url=database_url, secret_key="test-secret-key-0123456789abcdef")
    app = create_app(settings, engine=core_engine, clock=clock, create_all=True)
    with TestClient(app) as client:
        yield Api(client, clock)
