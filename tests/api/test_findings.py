"""Reviewer findings (评审发现的问题): recorded during the review, listed for whoever sees the
application, withdrawn by their author, raised as hazards when the review concludes."""

from __future__ import annotations

from support_api import act, under_review

ENT, ADMIN, R1, R2, R3 = (
    "ent@fz.cn",
    "admin@fz.gov",
    "r1@experts.cn",
    "r2@experts.cn",
    "r3@experts.cn",
)


def record(api, app, as_=R1, expect=201, **body):
    return api.call(
        "POST",
        f"/api/v1/applications/{app['id']}/findings",
        as_,
        expect=expect,
        json={"text": "消防通道堆放杂物", **body},
    )


def findings(api, app, as_=ADMIN, expect=200, **query):
    return api.call(
        "GET", f"/api/v1/applications/{app['id']}/findings", as_, expect=expect, params=query
    )


def withdraw(api, finding, version, as_=R1, expect=200):
    return api.call(
        "POST",
        f"/api/v1/applications/{finding['application_id']}/findings/{finding['id']}/withdraw",
        as_,
        expect=expect,
        json={"version": version},
    )


def events(api, app):
    return api.call(
        "GET", f"/api/v1/applications/{app['id']}/events", ADMIN, params={"limit": 500}
    )["items"]


def test_recording_listing_and_access(api):
    app = under_review(api)
    on_item = record(
        api, app, item_id="base.5-4-4.02", location="二车间东门", evidence=["photo-17.jpg"]
    )
    assert on_item["element"] == "5.4.4" and on_item["state"] == "open"  # the item's element
    assert on_item["level"] == "general" and on_item["version"] == 1 and on_item["cycle"] == 1
    on_element = record(api, app, R2, text="隐患台账未闭环", element="5.5.3", level="major")
    assert on_element["item_id"] == "" and on_element["author_id"] != on_item["author_id"]
    record(api, app, text="  ", expect=422)  # blank text
    refused = record(api, app, item_id="base.9-9-9.99", expect=422)
    assert refused["reasons"] == ["base.9-9-9.99"]
    record(api, app, element="9.9", expect=422)
    record(api, app, item_id="base.5-4-4.02", element="5.1", expect=422)  # not its element
    record(api, app, item_id="base.5-4-4.02", element="5.4", expect=201)  # its 一级 element
    record(api, app, level="minor", expect=422)

    for user in (ENT, ADMIN, R1, R2):  # whoever sees the application sees its findings
        assert findings(api, app, user)["total"] == 3
    findings(api, app, R3, expect=404)  # not assigned: as if it did not exist
    record(api, app, R3, expect=404)
    record(api, app, ENT, expect=403)
    record(api, app, ADMIN, expect=403)
    page = findings(api, app, limit=1, offset=1)
    assert page["total"] == 3 and [f["id"] for f in page["items"]] == [on_element["id"]]
    assert [f["id"] for f in findings(api, app, level="major")["items"]] == [on_element["id"]]
    csv = findings(api, app, format="csv")
    assert csv.startswith("\ufeffid,") and "消防通道堆放杂物" in csv and "二车间东门" in csv

    recorded = [e for e in events(api, app) if e["action"] == "finding.recorded"]
    assert [e["after"]["finding"]["id"] for e in recorded] == [
        on_item["id"],
        on_element["id"],
        findings(api, app)["items"][2]["id"],
    ]
    assert recorded[0]["actor_id"] == on_item["author_id"]


def test_rectify_raises_every_open_finding_as_a_hazard_with_its_closed_loop(api):
    app = under_review(api)
    general = record(api, app, item_id="base.5-4-4.02", location="仓库")
    major = record(api, app, R2, text="粉尘除尘系统未接地", level="major", element="5.5.3")
    dropped = record(api, app, text="记错了")
    withdraw(api, dropped, dropped["version"])
    app = act(api, app, "conclude_rectify", R1)
    assert app["state"] == "rectification"
    record(api, app, expect=409)  # no longer under review

    raised = {f["id"]: f for f in findings(api, app, state="raised")["items"]}
    assert set(raised) == {general["id"], major["id"]}
    assert findings(api, app, state="withdrawn")["items"][0]["hazard_id"] is None
    hazards = {h["id"]: h for h in api.call("GET", "/api/v1/hazards", ENT)["items"]}
    assert {f["hazard_id"] for f in raised.values()} <= set(hazards)
    general_hazard = hazards[raised[general["id"]]["hazard_id"]]
    major_hazard = hazards[raised[major["id"]]["hazard_id"]]
    assert general_hazard["source"] == major_hazard["source"] == "review"
    assert general_hazard["item_id"] == "base.5-4-4.02" and "仓库" in general_hazard["description"]
    assert major_hazard["level"] == "major" and major_hazard["item_id"] == ""
    assert major_hazard["deadline"] and major_hazard["state"] == "open"
    actions = [e["action"] for e in events(api, app)]
    assert actions.count("finding.raised") == 2 and "finding.withdrawn" in actions

    # the enterprise rectifies each, the reviewers verify, the review goes on
    act(api, app, "submit_rectification", ENT, expect=422)
    for hazard in (general_hazard, major_hazard):
        api.call(
            "PATCH",
            f"/api/v1/hazards/{hazard['id']}",
            ENT,
            json={
                "owner": "张三",
                "measures": "整改",
                "evidence": ["after.jpg"],
                "state": "submitted",
            },
        )
    app = act(api, app, "submit_rectification", ENT)
    assert app["state"] == "under_review"
    refused = act(api, app, "conclude_pass", R1, expect=422)  # the major hazard is not closed
    assert any("粉尘除尘系统未接地" in r for r in refused["reasons"])
    for hazard in (general_hazard, major_hazard):
        api.call("PATCH", f"/api/v1/hazards/{hazard['id']}", R1, json={"state": "closed"})
    app = act(api, app, "conclude_pass", R1)
    assert app["state"] == "reviewed_pass"

    state = None
    for e in events(api, app):  # finding events do not disturb the replay of the workflow
        if e["action"].startswith("hazard."):
            continue  # a hazard's own state
        if e["before"] and "state" in e["before"]:
            assert e["before"]["state"] == state
        state = (e["after"] or {}).get("state", state)
    assert state == "reviewed_pass"


def test_an_open_major_finding_refuses_a_pass(api):
    app = under_review(api)
    major = record(api, app, text="有限空间作业未审批", level="major")
    general = record(api, app, R2, text="警示标志褪色")
    refused = act(api, app, "conclude_pass", R1, expect=422)
    assert refused["reasons"] == ["重大问题未整改：有限空间作业未审批"]
    withdraw(api, major, major["version"])
    app = act(api, app, "conclude_pass", R1)
    assert app["state"] == "reviewed_pass"
    # the general finding is still a hazard to rectify, without holding up the pass
    [hazard] = api.call("GET", "/api/v1/hazards", ENT, params={"state": "open"})["items"]
    assert hazard["description"] == "警示标志褪色" and hazard["level"] == "general"
    [raised] = findings(api, app, state="raised")["items"]
    assert raised["id"] == general["id"] and raised["hazard_id"] == hazard["id"]


def test_withdraw_by_its_author_with_the_version_read(api):
    app = under_review(api)
    finding = record(api, app)
    stale = withdraw(api, finding, finding["version"] + 1, expect=409)
    assert stale["current"]["state"] == "open" and stale["current"]["version"] == 1
    withdraw(api, finding, finding["version"], R2, expect=403)  # not the author
    withdraw(api, finding, finding["version"], ENT, expect=403)
    withdraw(api, finding, finding["version"], R3, expect=404)
    missing = {**finding, "id": app["id"]}  # no such finding
    withdraw(api, missing, 1, expect=404)
    done = withdraw(api, finding, finding["version"])
    assert done["state"] == "withdrawn" and done["version"] == 2
    withdraw(api, finding, done["version"], expect=409)  # already withdrawn
    [event] = [e for e in events(api, app) if e["action"] == "finding.withdrawn"]
    assert event["before"]["finding"]["state"] == "open"
    assert event["after"]["finding"]["state"] == "withdrawn"
    later = record(api, app)
    act(api, app, "conclude_fail", R1)
    withdraw(api, later, later["version"], expect=409)  # the review is over: it is a hazard now
    assert findings(api, app, state="raised")["items"][0]["id"] == later["id"]
