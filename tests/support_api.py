"""Helpers for API tests: the authority, an enterprise and its way through the workflow."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from litestar.testing import TestClient
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import create_async_engine
from support import make_profile

from anbiao.api.app import create_app
from anbiao.api.kernel.models import Certificate, Role
from anbiao.api.kernel.settings import Settings
from anbiao.core.engine import Engine

FUZHOU = {"region": "350102", "uscc": "91350102MA00000152", "name": "福州示例机械厂"}
OWNER, ADMIN = "ent@fz.cn", "admin@fz.gov"


def setup_authority(api) -> None:
    api.user("admin@fz.gov", Role.admin, region_prefix="3501")
    for n, employer in ((1, "甲咨询"), (2, "乙咨询"), (3, "示例咨询")):
        api.user(
            f"r{n}@experts.cn",
            Role.reviewer,
            region_prefix="35",
            employer=employer,
            domains=["machinery", "dust_explosion"],
        )


def start(api, email="ent@fz.cn", **profile):
    me = api.signup(email, **{**FUZHOU, **profile})
    enterprise = me["enterprise_id"]
    assessment = api.call(
        "POST", f"/api/v1/enterprises/{enterprise}/assessments", email, expect=201
    )
    return enterprise, assessment


def answer_all(api, email, assessment, **overrides):
    """Answer every item (compliant unless overridden): the save's answer and the stored answers."""
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", email)
    ids = []

    def walk(elements):
        for element in elements:
            ids.extend(i["id"] for i in element["items"])
            walk(element["elements"])

    walk(checklist["elements"])
    answers = {i: {"status": "compliant"} for i in ids} | overrides
    path = f"/api/v1/assessments/{assessment['id']}"
    saved = api.call(
        "PATCH",
        f"{path}/answers",
        email,
        json={"version": assessment["version"], "answers": answers},
    )
    return saved | {"answers": api.call("GET", path, email)["answers"]}  # as stored


def minor_items(api, assessment) -> list[dict[str, Any]]:
    """Items that can be answered 'partial' without a veto or a major hazard."""
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", "ent@fz.cn")
    found: list[dict[str, Any]] = []

    def walk(elements):
        for element in elements:
            found.extend(
                i
                for i in element["items"]
                if i["deductions"] and not i["veto"] and not i["major_hazard"]
            )
            walk(element["elements"])

    walk(checklist["elements"])
    return found


def self_hazards(api) -> dict[str, str]:
    page = api.call("GET", "/api/v1/hazards", "ent@fz.cn", params={"limit": 500})
    return {h["item_id"]: h["state"] for h in page["items"] if h["source"] == "self"}


def act(api, app, action, as_, expect=200, **body):
    return api.call(
        "POST",
        f"/api/v1/applications/{app['id']}/actions/{action}",
        as_,
        expect=expect,
        json={"version": app["version"], **body},
    )


def under_review(api):
    """An application under review by r1 and r2 (r3 is not assigned)."""
    setup_authority(api)
    _, assessment = start(api)
    answer_all(api, "ent@fz.cn", assessment)
    ent, admin = "ent@fz.cn", "admin@fz.gov"
    app = api.call("POST", f"/api/v1/assessments/{assessment['id']}/applications", ent, expect=201)
    app = act(api, act(api, app, "submit", ent), "accept", admin)
    reviewers = {
        c["name"]: c["id"]
        for c in api.call("GET", f"/api/v1/applications/{app['id']}/candidates", admin)
    }
    return act(api, app, "assign", admin, reviewer_ids=[reviewers["r1"], reviewers["r2"]])


def statements(api, run) -> list[str]:
    """SQL statements ``run`` sends, transaction control (BEGIN, COMMIT) left out."""
    engine = api.client.app.state.db_config.get_engine().sync_engine
    sent: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return sent


def items_of(checklist: dict) -> dict[str, dict]:
    found: dict[str, dict] = {}

    def walk(elements):
        for element in elements:
            found.update({i["id"]: i for i in element["items"]})
            walk(element["elements"])

    walk(checklist["elements"])
    return found


def filled(api) -> dict:
    """An enterprise whose self-assessment has a partial item (with a deduction and a note) and a
    non-compliant one (a hazard); returns ids, the checklist and the engine's result."""
    _, assessment = start(api, OWNER, consultant="示例咨询")
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", OWNER)
    items = items_of(checklist)
    partial = next(i for i in items.values() if i["deductions"] and not i["veto"])
    failing = next(i for i in items.values() if not i["veto"] and i["id"] != partial["id"])
    answer_all(
        api,
        OWNER,
        assessment,
        **{
            partial["id"]: {
                "status": "partial",
                "deductions": [partial["deductions"][0]["id"]],
                "note": "培训记录缺两人",
            },
            failing["id"]: {"status": "non_compliant", "note": "未建立台账"},
        },
    )
    return {
        "assessment": assessment["id"],
        "items": items,
        "partial": partial,
        "failing": failing,
        "result": api.call("GET", f"/api/v1/assessments/{assessment['id']}", OWNER)["result"],
    }


def to_certificate(api, clock) -> dict:
    """Self-assessment → review (one item scored down by a reviewer) → certificate."""
    setup_authority(api)
    case = filled(api)
    app = api.call(
        "POST", f"/api/v1/assessments/{case['assessment']}/applications", OWNER, expect=201
    )
    app = act(api, app, "submit", OWNER)
    app = act(api, app, "accept", ADMIN)
    reviewers = {
        r["name"]: r["id"]
        for r in api.call("GET", f"/api/v1/applications/{app['id']}/candidates", ADMIN)
    }
    app = act(api, app, "assign", ADMIN, reviewer_ids=[reviewers["r1"], reviewers["r2"]])
    downgraded = next(
        i for i in case["items"] if i not in (case["partial"]["id"], case["failing"]["id"])
    )
    api.call(
        "PUT",
        f"/api/v1/applications/{app['id']}/review",
        "r1@experts.cn",
        json={"answers": {downgraded: {"status": "non_compliant"}}},
    )
    comparison = api.call("GET", f"/api/v1/applications/{app['id']}/comparison", "r1@experts.cn")
    app = act(api, app, "conclude_pass", "r1@experts.cn")
    app = act(api, app, "approve", ADMIN)
    clock.advance(14)
    app = act(api, app, "certify", ADMIN)
    with api.client.portal() as portal:
        number = portal.call(_certificate_number, api)
    return {
        **case,
        "application": app["id"],
        "downgraded": downgraded,
        "comparison": comparison,
        "number": number,
    }


async def _certificate_number(api) -> str:
    async with api.client.app.state.db_config.get_session() as session:
        return (await session.scalars(select(Certificate.number))).one()


T = TypeVar("T")
PG_ENV = "ANBIAO_TEST_DATABASE_URL"
PASSWORD = "correct-horse-battery"


def fresh_database(folder: Path, tag: str) -> str:
    """An empty database: an SQLite file in ``folder``, or a recreated PostgreSQL database."""
    base = os.environ.get(PG_ENV)
    if not base:
        path = folder / f"{tag}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    # One set of databases per checkout, so that two checkouts' runs on one server never collide.
    checkout = hashlib.sha1(str(Path(__file__).resolve().parent).encode()).hexdigest()[:6]
    name = f"anbiao_test_{checkout}_{tag}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")

    async def reset() -> None:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        await admin.dispose()

    asyncio.run(reset())
    return base.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.05):  # until uvicorn reports it is serving (bounded below)
        if server.started:
            started.set()
        elif not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def ran_in_transaction(driver: Any) -> bool:
    """After a statement: whether its driver connection ran it in a transaction (asyncpg
    begins one lazily, with the transaction's first statement)."""
    if hasattr(driver, "is_in_transaction"):  # asyncpg
        return bool(driver.is_in_transaction())
    return bool(driver.in_transaction)  # aiosqlite (anbiao.api.kernel.sqlite_connection)


@contextmanager
def in_transaction(engine: Any, having: str = "") -> Iterator[list[bool]]:
    """Whether each statement executed meanwhile on ``engine`` (that has ``having``) ran in a
    transaction."""
    found: list[bool] = []

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:
        if having not in statement:
            return
        found.append(ran_in_transaction(conn.connection.driver_connection))

    event.listen(engine, "after_cursor_execute", listener)
    try:
        yield found
    finally:
        event.remove(engine, "after_cursor_execute", listener)


def make_app(url: str, engine: Engine, clock: Clock, **settings: Any) -> Any:
    """The app on ``url`` (its tables created), with ``settings`` over the tests' defaults."""
    defaults = {
        "database_url": url,
        "secret_key": "test-secret-key-0123456789abcdef",
        "upload_dir": Path(tempfile.mkdtemp(prefix="anbiao-uploads-")),
    }
    return create_app(
        Settings(**(defaults | settings)), engine=engine, clock=clock, create_all=True
    )


@contextmanager
def served_site(
    folder: Path, tag: str, seed: Callable[[Api], T], **settings: Any
) -> Iterator[tuple[str, T]]:
    """An app served on a fresh database (``fresh_database(folder, tag)``), seeded first through
    the API test client: its base URL and what ``seed`` returned."""
    clock = Clock()
    engine = Engine.from_plugins(load_entrypoints=False)
    url = fresh_database(folder, tag)
    with TestClient(make_app(url, engine, clock, **settings)) as client:
        seeded = seed(Api(client, clock))
    with serve(make_app(url, engine, clock, **settings)) as base:
        yield base, seeded


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
        body = {
            "email": email,
            "password": PASSWORD,
            "name": "安全员",
            "consultant": consultant,
            "profile": make_profile(**profile).model_dump(mode="json"),
        }
        r = self.client.post("/api/v1/auth/signup", json=body)
        assert r.status_code == 201, r.text
        self.tokens[email] = r.json()["access_token"]
        return self.call("GET", "/api/v1/auth/me", email)

    def user(self, email: str, role: Role, **fields: Any) -> None:
        """Create a reviewer or admin directly (as `anbiao users create` does)."""
        with self.client.portal() as portal:
            portal.call(add_user, self.client.app.state.db_config, email, role, fields)


async def add_user(config: Any, email: str, role: Role, fields: dict[str, Any]) -> None:
    """A reviewer or admin with the test password, through ``config``'s sessions."""
    from anbiao.api.accounts.service import create_user

    async with config.get_session() as session:
        await create_user(
            session, email=email, password=PASSWORD, name=email.split("@")[0], role=role, **fields
        )
        await session.commit()
