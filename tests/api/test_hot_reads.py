"""The hot reads on SQLAlchemy Core: the reviewer queue and the checklist read send a pinned
number of statements and answer what the ORM views answer."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import date, timedelta

import httpx
from sqlalchemy import literal, select
from support_api import FUZHOU, make_app, serve, start, statements, under_review

from anbiao.api.kernel import access

QUEUE = "/api/v1/applications/"


def test_the_reviewer_queue_is_one_statement(api):
    """The page and its total in one statement, for a reviewer (assigned applications) and an
    authority (its region); a page past the end asks for the total alone."""
    app = under_review(api)
    for who in ("r1@experts.cn", "admin@fz.gov", "r3@experts.cn", "ent@fz.cn"):
        api.call("GET", "/api/v1/auth/me", who)  # the account cached
    pages: dict[str, dict] = {}

    def read(who: str, **params) -> None:
        pages[who] = api.call("GET", QUEUE, who, params={"state": "under_review", **params})

    for who in ("r1@experts.cn", "admin@fz.gov"):
        sent = statements(api, lambda who=who: read(who))
        assert len(sent) == 1, sent
        assert pages[who]["total"] == 1
        single = api.call("GET", f"/api/v1/applications/{app['id']}", who)
        assert pages[who]["items"] == [single | {"reviewers": []}]  # named in the single view
    assert statements(api, lambda: read("r3@experts.cn")) != []
    assert pages["r3@experts.cn"] == {"items": [], "total": 0, "limit": 50, "offset": 0}
    sent = statements(api, lambda: read("admin@fz.gov", offset=5))
    assert len(sent) == 2, sent
    assert pages["admin@fz.gov"] == {"items": [], "total": 1, "limit": 50, "offset": 5}
    enterprise = api.call("GET", QUEUE, "ent@fz.cn", params={"state": "under_review"})
    assert enterprise["items"][0]["allowed_actions"] == []  # the reviewers act now


def test_the_queue_filters(api, clock):
    """Each filter narrows the page and its total."""
    app = under_review(api)
    submitted = date.fromisoformat(app["submitted_on"])
    day = timedelta(days=1)

    def ids(**params) -> tuple[list[str], int]:
        page = api.call("GET", QUEUE, "admin@fz.gov", params=params)
        return [i["id"] for i in page["items"]], page["total"]

    found, none = ([app["id"]], 1), ([], 0)
    assert ids(state="under_review") == found and ids(state="draft") == none
    assert ids(region="3501") == found and ids(region="3502") == none
    assert ids(industry=app["industry"]) == found and ids(industry="mining") == none
    assert ids(submittedFrom=str(submitted)) == found
    assert ids(submittedFrom=str(submitted + day)) == none
    assert ids(submittedTo=str(submitted)) == found
    assert ids(submittedTo=str(submitted - day)) == none
    assert ids(overdue="false") == found and ids(overdue="true") == none
    assert ids(limit=1, offset=0) == found and ids(limit=1, offset=1) == ([], 1)
    # the statement kept for the overdue filter is today's: tomorrow's is built anew
    clock.advance((date.fromisoformat(app["due_on"]) - clock()).days + 1)
    assert ids(overdue="true") == found and ids(overdue="false") == none


def test_scoped_statements_are_kept_per_key_least_recently_used_first(monkeypatch):
    monkeypatch.setattr(access, "SCOPED_LIMIT", 2)
    monkeypatch.setattr(access, "_scoped", OrderedDict())
    built: list[str] = []

    def build(name: str):
        return lambda: built.append(name) or select(literal(name))

    first = access.scoped("a", build("a"))
    assert access.scoped("a", build("a")) is first and built == ["a"]
    access.scoped("b", build("b"))
    access.scoped("a", build("a"))  # used: now the most recent
    access.scoped("c", build("c"))  # past the limit: "b" goes
    assert access.scoped("a", build("a")) is first
    access.scoped("b", build("b"))
    assert built == ["a", "b", "c", "b"]


def test_the_checklist_read_is_one_statement(api):
    _, assessment = start(api, **FUZHOU)
    path = f"/api/v1/assessments/{assessment['id']}/checklist"
    api.call("GET", path, "ent@fz.cn")
    sent = statements(api, lambda: api.call("GET", path, "ent@fz.cn"))
    assert len(sent) == 1, sent


def test_a_full_pool_of_hot_reads_finishes(api, database_url, core_engine, clock):
    """Requests that read their account (no account cache) and then take their own connection
    for a hot read never hold two pooled connections at once: with a pool of two, sixteen
    concurrent checklist reads and queue pages all answer (before: each held its session's
    connection and waited for a second one, until the pool timed out: 500)."""
    app = under_review(api)
    assessment = app["assessment_id"]
    who = ["ent@fz.cn", "r1@experts.cn", "admin@fz.gov"]
    headers = {w: api.login(w) for w in who}
    narrow = make_app(
        database_url, core_engine, clock, database_pool_size=2, account_cache_seconds=0
    )
    reads = [(f"/api/v1/assessments/{assessment}/checklist", "ent@fz.cn")] * 8
    reads += [(QUEUE, w) for w in ("r1@experts.cn", "admin@fz.gov")] * 4

    async def read_all(base: str) -> list[int]:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            sent = [client.get(path, headers=headers[w]) for path, w in reads]
            return [r.status_code for r in await asyncio.gather(*sent)]

    with serve(narrow) as base:
        assert asyncio.run(read_all(base)) == [200] * len(reads)
