"""The request path: one database connection per request, guards on the event loop, and the
self-assessment hazards that follow every save (kept set-based for speed)."""

from __future__ import annotations

import inspect
from uuid import uuid4

import pytest
from sqlalchemy import event
from support_api import (
    FUZHOU,
    act,
    answer_all,
    in_transaction,
    minor_items,
    self_hazards,
    setup_authority,
    start,
    statements,
)

from anbiao.api.accounts.security import AccountCache
from anbiao.api.kernel.models import User


def test_self_hazards_follow_each_save(api):
    """Failing items get open hazards; fixed ones await verification (submitted); failing
    again sends them back to rectification; a batch flipping several moves them together."""
    _, assessment = start(api, **FUZHOU)
    a, b, c = minor_items(api, assessment)[:3]
    partial = {
        i["id"]: {"status": "partial", "deductions": [i["deductions"][0]["id"]]} for i in (a, b)
    }
    saved = answer_all(api, "ent@fz.cn", assessment, **partial)
    assert self_hazards(api) == {a["id"]: "open", b["id"]: "open"}

    def save(answers):
        nonlocal saved
        saved = api.call(
            "PATCH",
            f"/api/v1/assessments/{assessment['id']}/answers",
            "ent@fz.cn",
            json={"version": saved["version"], "answers": answers},
        )

    compliant = {"status": "compliant"}
    save({a["id"]: compliant, b["id"]: compliant})
    assert self_hazards(api) == {a["id"]: "submitted", b["id"]: "submitted"}
    save(
        {
            a["id"]: partial[a["id"]],
            c["id"]: {"status": "partial", "deductions": [c["deductions"][0]["id"]]},
        }
    )
    assert self_hazards(api) == {a["id"]: "rectifying", b["id"]: "submitted", c["id"]: "open"}
    again = api.call("GET", f"/api/v1/assessments/{assessment['id']}", "ent@fz.cn")
    assert again["version"] == saved["version"]
    assert again["answers"][a["id"]] == partial[a["id"]] | {
        "deductions": {a["deductions"][0]["id"]: 1}
    }


def test_a_request_holds_one_connection(api):
    """The token's user is read in the request's own session: one pooled connection per
    authenticated request, reads and writes alike."""
    _, assessment = start(api, **FUZHOU)
    path = f"/api/v1/assessments/{assessment['id']}"
    api.login("ent@fz.cn")
    checkouts: list[object] = []
    pool_owner = api.client.app.state.db_config.get_engine().sync_engine
    listener = lambda connection, record, proxy: checkouts.append(proxy)  # noqa: E731
    event.listen(pool_owner, "checkout", listener)
    try:
        api.call("GET", f"{path}/checklist", "ent@fz.cn")
        assert len(checkouts) == 1
        api.call(
            "PATCH",
            f"{path}/answers",
            "ent@fz.cn",
            json={"version": assessment["version"], "answers": {}},
        )
        assert len(checkouts) == 2
    finally:
        event.remove(pool_owner, "checkout", listener)


def test_every_guard_runs_on_the_event_loop(api):
    """Litestar runs a synchronous guard in a worker thread on every request: ours are
    coroutines."""
    guards = {
        guard
        for route in api.client.app.routes
        for handler in getattr(route, "route_handlers", ())
        for guard in handler.resolve_guards()
    }
    assert guards and all(inspect.iscoroutinefunction(g) for g in guards), guards


def test_safe_requests_read_without_a_transaction(api):
    """A safe request reads outside a transaction on both databases (PostgreSQL's autocommit,
    SQLite's): no BEGIN and COMMIT round trips, and on SQLite no lock (api/kernel/sqlite.py)."""
    engine = api.client.app.state.db_config.get_engine().sync_engine
    _, assessment = start(api, **FUZHOU)
    api.login("ent@fz.cn")
    with in_transaction(engine) as reads:
        api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", "ent@fz.cn")
        api.call("GET", "/api/v1/applications/", "ent@fz.cn")
    assert reads and not any(reads)


def test_postgresql_saves_take_no_transaction(api):
    """On PostgreSQL the answers' save, whose writes are one statement, runs in autocommit too
    (a write of several statements runs in one transaction: the next test)."""
    engine = api.client.app.state.db_config.get_engine().sync_engine
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: on SQLite a save's writes are several statements")
    _, assessment = start(api, **FUZHOU)
    api.login("ent@fz.cn")
    with in_transaction(engine) as saves:
        api.call(
            "PATCH",
            f"/api/v1/assessments/{assessment['id']}/answers",
            "ent@fz.cn",
            json={
                "version": assessment["version"],
                "answers": {"base.5-1-1.01": {"status": "compliant"}},
            },
        )
    assert len(saves) == 2 and not any(saves)


def _writes(sent: list[str]) -> list[str]:
    return [s for s in sent if not s.lstrip().upper().startswith("SELECT")]


def test_an_action_that_writes_once_writes_one_statement_without_a_transaction(api):
    """A new self-assessment, a new application, submit and accept write one row and its
    audit event: one statement on PostgreSQL (a data-modifying CTE), in autocommit; two in a
    transaction on SQLite. Assign writes the assignments too, in one transaction. A stale
    action writes nothing at all."""
    engine = api.client.app.state.db_config.get_engine().sync_engine
    postgresql = engine.dialect.name == "postgresql"
    setup_authority(api)
    enterprise, first = start(api)
    done = {}

    def once(run):
        with in_transaction(engine) as transactions:
            sent = statements(api, run)
        assert len(_writes(sent)) == (1 if postgresql else 2), sent
        assert not any(transactions) if postgresql else all(transactions)

    path = f"/api/v1/enterprises/{enterprise}/assessments"
    once(lambda: done.update(assessment=api.call("POST", path, "ent@fz.cn", expect=201)))
    assessment = done["assessment"]
    assert assessment["version"] == 1 and assessment["id"] != first["id"]
    answer_all(api, "ent@fz.cn", assessment)
    path = f"/api/v1/assessments/{assessment['id']}/applications"
    once(lambda: done.update(app=api.call("POST", path, "ent@fz.cn", expect=201)))
    app = done["app"]
    assert (app["state"], app["version"], app["cycle"]) == ("draft", 1, 1)
    assert api.call("GET", f"/api/v1/applications/{app['id']}", "ent@fz.cn") == app
    api.login("admin@fz.gov")
    for action, as_ in (("submit", "ent@fz.cn"), ("accept", "admin@fz.gov")):
        stale = act(api, {**app, "version": app["version"] - 1}, action, as_, expect=409)
        assert stale["current"] == {"state": app["state"], "version": app["version"]}
        once(lambda app=app, action=action, as_=as_: done.update(app=act(api, app, action, as_)))
        app = done["app"]
    reviewers = [
        c["id"]
        for c in api.call("GET", f"/api/v1/applications/{app['id']}/candidates", "admin@fz.gov")
        if c["name"] in ("r1", "r2")
    ]
    with in_transaction(engine) as transactions:
        act(api, app, "assign", "admin@fz.gov", reviewer_ids=reviewers)
    assert transactions and all(transactions)
    trail = api.call("GET", f"/api/v1/applications/{app['id']}/events", "admin@fz.gov")
    assert [e["action"] for e in trail["items"]] == [
        "application.created",
        "application.submit",
        "application.accept",
        "application.assign",
    ]
    assert trail["items"][1]["before"]["state"] == "draft"
    assert trail["items"][2]["after"]["state"] == "accepted"


def test_a_hazard_update_writes_one_statement_without_a_transaction(api):
    """The hazard's row and its audit event (before → after): one statement on PostgreSQL, in
    autocommit; two in a transaction on SQLite."""
    engine = api.client.app.state.db_config.get_engine().sync_engine
    postgresql = engine.dialect.name == "postgresql"
    _, assessment = start(api, **FUZHOU)
    item = minor_items(api, assessment)[0]
    partial = {"status": "partial", "deductions": [item["deductions"][0]["id"]]}
    answer_all(api, "ent@fz.cn", assessment, **{item["id"]: partial})
    hazards = api.call("GET", "/api/v1/hazards", "ent@fz.cn")["items"]
    hazard = next(h for h in hazards if h["item_id"] == item["id"])
    body = {"version": hazard["version"], "owner": "张三", "deadline": "2027-01-31"}
    path = f"/api/v1/hazards/{hazard['id']}"
    done = {}
    with in_transaction(engine) as transactions:
        sent = statements(
            api, lambda: done.update(hazard=api.call("PATCH", path, "ent@fz.cn", json=body))
        )
    assert len(_writes(sent)) == (1 if postgresql else 2), sent
    assert not any(transactions) if postgresql else all(transactions)
    updated = done["hazard"]
    assert (updated["owner"], updated["deadline"]) == ("张三", "2027-01-31")
    assert updated["version"] == hazard["version"] + 1
    api.call("PATCH", path, "ent@fz.cn", expect=409, json=body)  # stale: nothing written
    events = api.call(
        "GET", f"/api/v1/enterprises/{assessment['enterprise_id']}/events", "ent@fz.cn"
    )["items"]
    changes = [(e["before"], e["after"]) for e in events if e["action"] == "hazard.updated"]
    assert changes == [(hazard, updated)]


def test_a_worker_reuses_an_account_for_a_few_seconds():
    """The token's account is read once, reused until it expires, then read again; an unknown
    account is not kept, and 0 seconds keeps nothing."""
    now = [100.0]
    accounts = AccountCache(5.0, now=lambda: now[0])
    user = User(id=uuid4(), email="a@b.cn", name="甲", role="enterprise", password_hash="-")
    assert accounts.get(str(user.id)) is None
    accounts.keep(user)
    now[0] += 4.9
    assert accounts.get(str(user.id)) is user
    now[0] += 0.2
    assert accounts.get(str(user.id)) is None
    never = AccountCache(0.0)
    never.keep(user)
    assert never.get(str(user.id)) is None


def test_requests_within_the_cache_time_do_not_read_the_account(api):
    engine = api.client.app.state.db_config.get_engine().sync_engine
    _, assessment = start(api, **FUZHOU)
    api.login("ent@fz.cn")
    lookups: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if "FROM user_account" in statement:
            lookups.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        api.client.app.state.accounts = AccountCache(0.0)
        for _ in range(2):
            api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", "ent@fz.cn")
        assert len(lookups) == 2
        api.client.app.state.accounts = AccountCache(60.0)
        for _ in range(3):
            me = api.call("GET", "/api/v1/auth/me", "ent@fz.cn")
        assert len(lookups) == 3 and me["email"] == "ent@fz.cn"
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_the_account_is_read_without_a_transaction(api):
    """The token's account, read in a session of its own for a safe request and a write alike:
    outside a transaction (PostgreSQL's autocommit, SQLite's), so no BEGIN and ROLLBACK round
    trips around the one read, and on SQLite a write request's lookup takes no write lock."""
    engine = api.client.app.state.db_config.get_engine().sync_engine
    _, assessment = start(api, **FUZHOU)
    api.login("ent@fz.cn")
    api.client.app.state.accounts = AccountCache(0.0)  # read on every request
    with in_transaction(engine, "FROM user_account") as lookups:
        api.call("GET", "/api/v1/auth/me", "ent@fz.cn")
        body = {
            "version": assessment["version"],
            "answers": {"base.5-1-1.01": {"status": "compliant"}},
        }
        api.call("PATCH", f"/api/v1/assessments/{assessment['id']}/answers", "ent@fz.cn", json=body)
    assert lookups == [False, False]
