"""Concurrent answer saves: optimistic concurrency never loses an update."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest
from litestar.testing import TestClient
from sqlalchemy import event, text
from support_api import FUZHOU, Api, make_app, start
from support_ui import Pages

from anbiao.api.kernel.db import db_config
from anbiao.api.kernel.settings import Settings

WRITERS = 8
ROUNDS = 3


def test_same_version_twice_one_wins(api):
    _, assessment = start(api, **FUZHOU)
    path = f"/api/v1/assessments/{assessment['id']}/answers"
    first = api.call(
        "PATCH",
        path,
        "ent@fz.cn",
        json={"version": 1, "answers": {"base.5-1-1.01": {"status": "compliant"}}},
    )
    stale = api.call(
        "PATCH",
        path,
        "ent@fz.cn",
        expect=409,
        json={"version": 1, "answers": {"base.5-1-1.01": {"status": "non_compliant"}}},
    )
    assert stale["current"]["version"] == first["version"] == 2
    assert stale["current"]["answers"] == {"base.5-1-1.01": {"status": "compliant"}}


def test_concurrent_writers_lose_nothing(api):
    _, assessment = start(api, **FUZHOU)
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", "ent@fz.cn")
    items = [i["id"] for e in checklist["elements"] for sub in e["elements"] for i in sub["items"]]
    headers = api.login("ent@fz.cn")
    url = f"/api/v1/assessments/{assessment['id']}"
    jobs = [items[w * ROUNDS + r] for w in range(WRITERS) for r in range(ROUNDS)]
    conflicts = []

    def write(item_id: str) -> int:
        for attempt in range(50):
            version = api.client.get(url, headers=headers).json()["version"]
            r = api.client.patch(
                f"{url}/answers",
                headers=headers,
                json={"version": version, "answers": {item_id: {"status": "compliant"}}},
            )
            if r.status_code == 200:
                return attempt
            assert r.status_code == 409, r.text
            conflicts.append(item_id)
        raise AssertionError(f"{item_id}: no success in 50 attempts")

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, jobs))
    final = api.client.get(url, headers=headers).json()
    assert set(final["answers"]) == set(jobs)  # every write is there
    assert final["version"] == 1 + len(jobs)  # each success bumped the version exactly once
    events = api.call(
        "GET",
        f"/api/v1/enterprises/{assessment['enterprise_id']}/events",
        "ent@fz.cn",
        params={"limit": 500},
    )["items"]
    saves = [e for e in events if e["action"] == "assessment.answers_saved"]
    assert len(saves) == len(jobs)


def test_reads_do_not_wait_for_a_writer_on_sqlite(api, database_url):
    """A safe request (and its token's user lookup) takes no write lock: while another
    connection holds SQLite's write lock, reading still answers (it used to wait for
    busy_timeout and fail with "database is locked")."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL readers never wait for writers")
    _, assessment = start(api, **FUZHOU)
    api.login("ent@fz.cn")
    pages = Pages(api.client)
    pages.sign_in("ent@fz.cn")
    writer = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
    writer.execute("PRAGMA busy_timeout=0")
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock until rolled back
    try:
        read = api.call("GET", f"/api/v1/assessments/{assessment['id']}", "ent@fz.cn")
        assert read["version"] == assessment["version"]
        assert FUZHOU["name"] in pages.get("/enterprise")  # a page (viewer lookup included)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_write_refused_by_the_database_is_an_error_not_a_lost_success(api, monkeypatch):
    """A save's write the database refuses (here its audit event, with a broken reference: on
    SQLite the statement after the versioned UPDATE, on PostgreSQL a part of the one statement)
    answers 500 and nothing is half-saved — not 200 followed by a silent rollback."""
    from anbiao.api.assessments import saving
    from anbiao.api.kernel.models import Role, User

    _, assessment = start(api, **FUZHOU)
    nobody = User(id=uuid4(), email="x@y.cn", name="-", role=Role.enterprise, password_hash="-")
    write = saving.write

    async def broken(connection, change):
        return await write(connection, dataclasses.replace(change, actor=nobody))

    monkeypatch.setattr(saving, "write", broken)
    path = f"/api/v1/assessments/{assessment['id']}"
    r = api.client.patch(
        f"{path}/answers",
        headers=api.login("ent@fz.cn"),
        json={"version": 1, "answers": {"base.5-1-1.01": {"status": "non_compliant"}}},
    )
    assert r.status_code == 500 and "Traceback" not in r.text
    monkeypatch.undo()
    after = api.call("GET", path, "ent@fz.cn")
    assert after["version"] == 1 and after["answers"] == {}
    assert api.call("GET", "/api/v1/hazards", "ent@fz.cn")["items"] == []


def _refuse_the_next_commit(api) -> list[object]:
    """The database refuses the next COMMIT (a lost connection, a full disk), whichever way the
    handler writes (ORM session or Core connection): the ``commit`` event fires for both."""
    from sqlalchemy.exc import OperationalError

    engine = api.client.app.state.db_config.get_engine().sync_engine
    refused: list[object] = []

    def refuse_once(connection) -> None:
        if not refused:
            refused.append(connection)
            connection.connection.rollback()  # the database ended the transaction
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(engine, "commit", refuse_once)
    return refused


def test_a_commit_the_database_refuses_is_an_error_not_a_lost_success(
    database_url, core_engine, clock
):
    """The COMMIT runs before the response is sent: when it fails the answer is a problem
    document and the saved state is unchanged — not the 200 that advanced-alchemy's autocommit
    handler would send after logging the failure at debug level. Both kinds of handler: the
    answer save (Core, on ``db_connection``) and starting an assessment (ORM, ``db_session``).
    On PostgreSQL the save commits only behind a transaction pooler (else its one statement is
    its transaction): the app is configured so."""
    pooled = database_url.startswith("postgresql")
    app = make_app(database_url, core_engine, clock, database_transaction_pooler=pooled)
    with TestClient(app) as client:
        _refused_commits(Api(client, clock))


def _refused_commits(api: Api) -> None:
    enterprise, assessment = start(api, **FUZHOU)
    headers = api.login("ent@fz.cn")
    path = f"/api/v1/assessments/{assessment['id']}"
    refused = _refuse_the_next_commit(api)
    r = api.client.patch(
        f"{path}/answers",
        headers=headers,
        json={"version": 1, "answers": {"base.5-1-1.01": {"status": "compliant"}}},
    )
    assert refused and r.status_code == 500, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    after = api.call("GET", path, "ent@fz.cn")
    assert after["version"] == 1 and after["answers"] == {}

    listed = f"/api/v1/enterprises/{enterprise}/assessments"
    refused = _refuse_the_next_commit(api)
    r = api.client.post(listed, headers=headers)
    assert refused and r.status_code == 500, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [a["id"] for a in api.call("GET", listed, "ent@fz.cn")["items"]] == [assessment["id"]]


def test_sqlite_writers_of_a_process_queue_instead_of_failing(api, database_url):
    """Writers wait for the one holding SQLite's write lock. With the busy timeout at 0, SQLite
    itself would refuse each of them at once ("database is locked")."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the queue is for embedded SQLite")
    config = db_config(Settings(database_url=database_url, secret_key="x" * 32))
    engine = config.get_engine().sync_engine
    event.listen(
        engine, "connect", lambda connection, _: connection.execute("PRAGMA busy_timeout=0")
    )
    waiting = 5

    async def scenario() -> list[int]:
        holding, all_begun, release = asyncio.Event(), asyncio.Event(), asyncio.Event()
        begun: list[object] = []

        def count(*_) -> None:  # a writer has its connection; it begins without yielding
            if holding.is_set():
                begun.append(_)
                if len(begun) == waiting:
                    all_begun.set()

        event.listen(engine, "checkout", count)

        async def write(n: int, hold: bool) -> None:
            async with config.get_session() as session:
                await session.execute(text("INSERT INTO queued (n) VALUES (:n)"), {"n": n})
                if hold:
                    holding.set()
                    await release.wait()
                await session.commit()

        async with config.get_session() as session:
            await session.execute(text("CREATE TABLE queued (n INTEGER)"))
            await session.commit()
        first = asyncio.create_task(write(0, hold=True))
        await holding.wait()
        others = [asyncio.create_task(write(n, hold=False)) for n in range(1, 1 + waiting)]
        await all_begun.wait()  # every other writer is at BEGIN while the first holds the lock
        release.set()
        await asyncio.gather(first, *others)
        async with config.get_session() as session:
            stored = sorted((await session.scalars(text("SELECT n FROM queued"))).all())
        await config.get_engine().dispose()
        return stored

    assert asyncio.run(scenario()) == list(range(1 + waiting))


def test_a_writer_takes_a_free_file_lock_without_a_thread(database_url, monkeypatch):
    """The lock of all processes' writers, when no other process holds it, is taken at once
    (non-blocking); only a writer that would wait for it waits in a thread."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the queue is for embedded SQLite")
    from anbiao.api.kernel import sqlite

    taken: list[tuple[int, bool]] = []
    flock = sqlite.fcntl.flock

    def recorded(descriptor: int, operation: int) -> None:
        taken.append((operation, threading.current_thread() is threading.main_thread()))
        flock(descriptor, operation)

    monkeypatch.setattr(sqlite.fcntl, "flock", recorded)
    config = db_config(Settings(database_url=database_url, secret_key="x" * 32))

    async def write() -> None:
        async with config.get_session() as session:
            await session.execute(text("CREATE TABLE locked (n INTEGER)"))
            await session.commit()
        await config.get_engine().dispose()

    asyncio.run(write())
    assert taken == [(sqlite.fcntl.LOCK_EX | sqlite.fcntl.LOCK_NB, True)]


def test_a_writer_that_waits_too_long_gets_503_and_changes_nothing(api, database_url, monkeypatch):
    """Past the queue's wait, a write is refused as 503 (try again): a problem document for
    the API, an HTML page for the browser; nothing of it is stored."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the queue is for embedded SQLite")
    from anbiao.api.kernel import sqlite

    _, assessment = start(api, **FUZHOU)
    pages = Pages(api.client)
    pages.sign_in("ent@fz.cn")
    pages.get("/enterprise/profile")
    headers = api.login("ent@fz.cn")
    config = api.client.app.state.db_config

    async def hold():  # a writer of this process that keeps the write lock
        session = config.create_session_maker()()
        await session.execute(text("SELECT 1"))
        return session

    monkeypatch.setattr(sqlite, "WRITE_WAIT_SECONDS", 0.05)
    with api.client.portal() as portal:
        holder = portal.call(hold)
        try:
            r = api.client.patch(
                f"/api/v1/assessments/{assessment['id']}/answers",
                headers=headers,
                json={"version": 1, "answers": {"base.5-1-1.01": {"status": "compliant"}}},
            )
            assert r.status_code == 503, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            page = pages.post("/enterprise/assessments", expect=503)
            assert "text/html" in page.headers["content-type"] and "Traceback" not in page.text
        finally:
            portal.call(holder.close)
    after = api.call("GET", f"/api/v1/assessments/{assessment['id']}", "ent@fz.cn")
    assert after["version"] == 1 and after["answers"] == {}
    assessments = api.call(
        "GET", f"/api/v1/enterprises/{assessment['enterprise_id']}/assessments", "ent@fz.cn"
    )
    assert assessments["total"] == 1


_WRITER_PROCESS = """
import asyncio, sys
from anbiao.api.kernel.db import db_config
from anbiao.api.kernel.settings import Settings
from sqlalchemy import event, text

url, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
config = db_config(Settings(database_url=url, secret_key="x" * 32))
event.listen(config.get_engine().sync_engine, "connect",
             lambda connection, _: connection.execute("PRAGMA busy_timeout=0"))

async def write(n):
    async with config.get_session() as session:
        await session.execute(text("INSERT INTO queued (n) VALUES (:n)"), {"n": n})
        await session.execute(text("SELECT count(*) FROM queued"))
        await session.commit()

async def main():
    print("ready", flush=True)
    sys.stdin.readline()  # all processes start together
    await asyncio.gather(*(write(n) for n in range(first, first + count)))
    await config.get_engine().dispose()

asyncio.run(main())
"""


def test_sqlite_writers_of_several_processes_queue_instead_of_failing(database_url):
    """Worker processes (``--workers N``) queue on a file lock beside the database. With the
    busy timeout at 0, SQLite itself would refuse a writer that meets another process's."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the queue is for embedded SQLite")
    path = database_url.split("///", 1)[1]
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE queued (n INTEGER)")
    processes, count = 3, 150
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER_PROCESS, database_url, str(p * count), str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(processes)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    failures = [
        err
        for worker in workers
        if (err := worker.communicate(timeout=120)[1]) and worker.returncode
    ]
    assert failures == []
    with sqlite3.connect(path) as check:
        stored = sorted(n for (n,) in check.execute("SELECT n FROM queued"))
    assert stored == list(range(processes * count))
