"""A reviewer's score save does what its change needs: it answers the totals and the rows of the
items it changed, validates and audits only those, and writes nothing when nothing changed."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import select
from support_api import ADMIN, act, in_transaction, statements, under_review

from anbiao.api.applications.review import save_review
from anbiao.api.applications.rules import Context, reviewers_of
from anbiao.api.applications.schemas import ReviewIn
from anbiao.api.kernel.models import Application, User

R1, R2 = "r1@experts.cn", "r2@experts.cn"


def _review(api, app, as_, answers, expect=200):
    path = f"/api/v1/applications/{app['id']}/review"
    return api.call("PUT", path, as_, expect=expect, json={"answers": answers})


def _scored_events(api, app):
    events = api.call("GET", f"/api/v1/applications/{app['id']}/events", ADMIN)["items"]
    return [e for e in events if e["action"] == "review.scored"]


def test_a_review_save_answers_the_totals_and_the_changed_rows(api):
    app = under_review(api)
    full = api.call("GET", f"/api/v1/applications/{app['id']}/comparison", R1)
    first, second = full["items"][5]["item_id"], full["items"][2]["item_id"]
    saved = _review(
        api,
        app,
        R1,
        {first: {"status": "non_compliant"}, second: {"status": "non_compliant"}},
    )
    assert [i["item_id"] for i in saved["items"]] == [second, first]  # composition order
    assert all(i["review_status"] == "non_compliant" and i["delta"] < 0 for i in saved["items"])
    after = api.call("GET", f"/api/v1/applications/{app['id']}/comparison", R1)
    assert len(after["items"]) == len(full["items"])
    rows = {i["item_id"]: i for i in after["items"]}
    assert saved["items"] == [rows[second], rows[first]]
    assert {k: v for k, v in saved.items() if k != "items"} == {
        k: v for k, v in after.items() if k != "items"
    }
    assert after["review_earned"] < after["self_earned"]


def test_a_review_save_audits_only_what_it_changed(api):
    app = under_review(api)
    ids = [
        i["item_id"]
        for i in api.call("GET", f"/api/v1/applications/{app['id']}/comparison", R1)["items"]
    ]
    kept, changed = ids[0], ids[1]
    _review(api, app, R1, {kept: {"status": "compliant"}, changed: {"status": "compliant"}})
    again = _review(
        api, app, R1, {kept: {"status": "compliant"}, changed: {"status": "non_compliant"}}
    )
    assert [i["item_id"] for i in again["items"]] == [changed]
    events = _scored_events(api, app)
    assert len(events) == 2
    assert events[-1]["before"] == {changed: {"status": "compliant"}}
    assert events[-1]["after"] == {changed: {"status": "non_compliant"}}
    unchanged = _review(api, app, R1, {changed: {"status": "non_compliant"}})
    assert unchanged["items"] == [] and len(_scored_events(api, app)) == 2
    cleared = _review(api, app, R1, {changed: None})
    assert cleared["items"][0]["review_status"] == cleared["items"][0]["self_status"]
    assert _scored_events(api, app)[-1]["after"] == {changed: None}


def test_a_review_save_still_refuses_bad_scores_and_keeps_the_others(api):
    """Only the changes are validated: a refused batch writes nothing, and the reviewers' earlier
    scores (their kept validated answers) still count in the result."""
    app = under_review(api)
    ids = [
        i["item_id"]
        for i in api.call("GET", f"/api/v1/applications/{app['id']}/comparison", R1)["items"]
    ]
    _review(api, app, R2, {ids[0]: {"status": "non_compliant"}})
    refused = _review(api, app, R1, {ids[1]: {"status": "partial"}}, expect=422)
    assert refused["errors"][0]["code"] == "answer.partial_needs_deduction"
    after = api.call("GET", f"/api/v1/applications/{app['id']}/comparison", R1)
    rows = {i["item_id"]: i for i in after["items"]}
    assert rows[ids[0]]["review_status"] == "non_compliant"
    assert rows[ids[1]]["review_status"] == rows[ids[1]]["self_status"]
    assert len(_scored_events(api, app)) == 1


def test_a_review_save_sends_a_pinned_number_of_statements(api):
    """The application with the cycle's assignments (one read), the assignment's UPDATE and the
    audit INSERT — one statement on PostgreSQL (a data-modifying CTE), in autocommit; a save
    that changes nothing only reads."""
    engine = api.client.app.state.db_config.get_engine().sync_engine
    postgresql = engine.dialect.name == "postgresql"
    app = under_review(api)
    item = api.call("GET", f"/api/v1/applications/{app['id']}/comparison", R1)["items"][0]
    sent = statements(
        api, lambda: _review(api, app, R1, {item["item_id"]: {"status": "partial"}}, expect=422)
    )
    assert len(sent) == 1 and "JOIN assignment" in sent[0], sent  # refused: nothing written
    _review(api, app, R1, {item["item_id"]: {"status": "compliant"}})
    with in_transaction(engine) as transactions:
        sent = statements(
            api, lambda: _review(api, app, R1, {item["item_id"]: {"status": "non_compliant"}})
        )
    if postgresql:
        assert len(sent) == 2, sent
        assert " ".join(sent[1].split()).startswith("WITH written AS (UPDATE assignment"), sent
        assert "INSERT INTO event" in sent[1], sent
        assert not any(transactions)
    else:
        assert len(sent) == 3, sent
        assert sent[1].lstrip().upper().startswith("UPDATE ASSIGNMENT"), sent
        assert sent[2].lstrip().upper().startswith("INSERT INTO EVENT"), sent
    trail = api.call("GET", f"/api/v1/applications/{app['id']}/events", ADMIN)["items"]
    assert [e["after"] for e in trail if e["action"] == "review.scored"] == [
        {item["item_id"]: {"status": "compliant"}},
        {item["item_id"]: {"status": "non_compliant"}},
    ]
    sent = statements(
        api, lambda: _review(api, app, R1, {item["item_id"]: {"status": "non_compliant"}})
    )
    assert len(sent) == 1, sent


def test_the_reviewers_named_are_the_current_cycles(api):
    """A view names the current cycle's reviewers, read with the application in one statement
    (an action's answer names them without reading them again); after a failed review and a
    return the resubmission opens a new cycle, which has none until the next assignment."""
    app = under_review(api)
    reviewers, cycle = app["reviewers"], app["cycle"]
    assert len(reviewers) == 2 and reviewers == sorted(reviewers)
    app = act(api, app, "conclude_fail", R1)
    done = {}
    sent = statements(
        api,
        lambda: done.update(
            app=act(api, app, "return", ADMIN, reason="评审不合格，请整改后重新申请")
        ),
    )
    app = done["app"]
    assert app["reviewers"] == reviewers
    assert not any("assignment.reviewer_id" in s and "FROM assignment" in s for s in sent[1:])
    path = f"/api/v1/applications/{app['id']}"
    sent = statements(api, lambda: api.call("GET", path, ADMIN))
    assert len(sent) == 1 and "FROM assignment" in sent[0], sent
    assert api.call("GET", path, ADMIN)["reviewers"] == reviewers
    app = act(api, app, "submit", "ent@fz.cn")
    assert app["state"] == "submitted" and app["cycle"] == cycle + 1 and app["reviewers"] == []
    assert api.call("GET", path, ADMIN)["reviewers"] == []
    app = act(api, app, "accept", ADMIN)
    assert app["reviewers"] == []
    app = act(api, app, "assign", ADMIN, reviewer_ids=reviewers[::-1])
    assert app["reviewers"] == reviewers and app["cycle"] == cycle + 1
    assert api.call("GET", path, ADMIN)["reviewers"] == reviewers


def test_reviewers_disagreeing_on_an_item_always_give_the_same_review_result(api):
    """Where the two reviewers score one item differently, the one named later prevails,
    however often either saves since (on PostgreSQL an updated row moves within its table, so
    an unordered read of the assignments would let the last saver's score prevail instead)."""
    app = under_review(api)
    path = f"/api/v1/applications/{app['id']}/comparison"
    items = [i["item_id"] for i in api.call("GET", path, R1)["items"]]
    disputed, other = items[0], items[1]
    first, later = R1, R2  # the order ``under_review`` names them in the assignment
    _review(api, app, later, {disputed: {"status": "non_compliant"}})
    _review(api, app, first, {disputed: {"status": "compliant"}})
    engine = api.client.app.state.db_config.get_engine()
    if engine.dialect.name == "postgresql":  # the plan of a table with statistics: a scan

        async def analyze():
            async with engine.connect() as connection:
                await connection.exec_driver_sql("ANALYZE assignment")

        with api.client.portal() as portal:
            portal.call(analyze)
    for n in range(3):
        status = "compliant" if n % 2 else "non_compliant"
        _review(api, app, first, {other: {"status": status}})
        rows = {i["item_id"]: i for i in api.call("GET", path, ADMIN)["items"]}
        assert rows[disputed]["review_status"] == "non_compliant", n
        assert rows[other]["review_status"] == status


def test_a_conclusion_reads_the_cycles_assignments_with_the_application(api):
    app = under_review(api)
    sent = statements(api, lambda: act(api, app, "conclude_pass", R1))
    reads = [s for s in sent if "assignment" in s.split("WHERE")[0]]  # read from the table
    assert len(reads) == 1 and "LEFT OUTER JOIN assignment" in reads[0], sent


def test_two_saves_of_one_reviewer_at_once_lose_nothing(api):
    """Two tabs of one reviewer: a save merges into the scores it read; when the other tab's save
    wrote in between, it merges into what that one wrote instead of overwriting it."""
    app = under_review(api)
    path = f"/api/v1/applications/{app['id']}/comparison"
    first, second = [i["item_id"] for i in api.call("GET", path, R1)["items"][:2]]
    config, engine = api.client.app.state.db_config, api.client.app.state.engine

    async def read(session, answers):
        user = await session.scalar(select(User).where(User.email == R1))
        application = await session.get_one(Application, UUID(app["id"]))
        assignments = await reviewers_of(session, application, application.cycle)
        body = ReviewIn.model_validate({"answers": answers})
        return Context(session, engine, user, date.today(), body), application, assignments

    async def interleaved():
        async with config.get_session() as late, config.get_session() as early:
            stale = await read(late, {second: {"status": "non_compliant"}})
            await late.commit()  # its scores are read, as of now
            await save_review(*await read(early, {first: {"status": "non_compliant"}}))
            await early.commit()  # the other tab saved meanwhile
            _, changed = await save_review(*stale)
            await late.commit()
            return changed

    with api.client.portal() as portal:
        assert portal.call(interleaved) == (second,)
    items = {i["item_id"]: i for i in api.call("GET", path, R1)["items"]}
    assert items[first]["self_status"] == items[second]["self_status"] == "compliant"
    assert items[first]["review_status"] == items[second]["review_status"] == "non_compliant"
    trail = api.call("GET", f"/api/v1/applications/{app['id']}/events", ADMIN)["items"]
    assert [e["after"] for e in trail if e["action"] == "review.scored"] == [
        {first: {"status": "non_compliant"}},
        {second: {"status": "non_compliant"}},
    ]
