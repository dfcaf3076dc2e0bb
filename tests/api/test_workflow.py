"""From registration to certificate and public verification, with the rules on the way."""

from __future__ import annotations

from uuid import uuid4

from support_api import FUZHOU, act, answer_all, setup_authority, start, under_review


def test_registration_to_certificate_and_verification(api, clock):
    setup_authority(api)
    _, assessment = start(api, consultant="示例咨询")
    saved = answer_all(
        api,
        "ent@fz.cn",
        assessment,
        **{
            "base.5-1-1.01": {
                "status": "partial",
                "deductions": [_first_deduction(api, assessment)],
            }
        },
    )
    assert saved["totals"]["complete"] and saved["totals"]["eligible"]
    app = api.call(
        "POST", f"/api/v1/assessments/{assessment['id']}/applications", "ent@fz.cn", expect=201
    )
    assert app["state"] == "draft" and app["allowed_actions"] == ["submit", "withdraw"]
    app = act(api, app, "submit", "ent@fz.cn")
    assert app["state"] == "submitted" and app["due_on"] > str(clock.today)
    # the answers the application is judged on are frozen with it
    api.call(
        "PATCH",
        f"/api/v1/assessments/{assessment['id']}/answers",
        "ent@fz.cn",
        expect=409,
        json={"version": saved["version"], "answers": {}},
    )

    app = act(api, app, "accept", "admin@fz.gov")
    reviewers = {
        r["name"]: r
        for r in api.call("GET", f"/api/v1/applications/{app['id']}/candidates", "admin@fz.gov")
    }
    assert reviewers["r3"]["conflicts"] and not reviewers["r1"]["conflicts"]  # same consultant
    refused = act(
        api,
        app,
        "assign",
        "admin@fz.gov",
        expect=422,
        reviewer_ids=[reviewers["r1"]["id"], reviewers["r3"]["id"]],
    )
    assert any("利益冲突" in r for r in refused["reasons"])
    act(api, app, "assign", "admin@fz.gov", expect=422, reviewer_ids=[reviewers["r1"]["id"]])
    app = act(
        api,
        app,
        "assign",
        "admin@fz.gov",
        reviewer_ids=[reviewers["r1"]["id"], reviewers["r2"]["id"]],
    )
    assert app["state"] == "under_review" and len(app["reviewers"]) == 2

    comparison = api.call(
        "PUT",
        f"/api/v1/applications/{app['id']}/review",
        "r1@experts.cn",
        json={"answers": {"base.5-1-2.01": {"status": "non_compliant"}}},
    )
    delta = {i["item_id"]: i for i in comparison["items"]}["base.5-1-2.01"]
    assert delta["self_status"] == "compliant" and delta["delta"] < 0
    assert comparison["review_earned"] < comparison["self_earned"]
    api.call(
        "PUT",
        f"/api/v1/applications/{app['id']}/review",
        "r3@experts.cn",
        expect=404,
        json={"answers": {}},
    )  # not assigned: the application does not exist for them
    app = act(api, app, "conclude_pass", "r1@experts.cn")
    assert app["state"] == "reviewed_pass" and app["review_result"]["passed"]

    app = act(api, app, "approve", "admin@fz.gov")
    assert app["state"] == "publicity"
    act(api, app, "record_objection", "admin@fz.gov", expect=422)  # the objection's text
    app = act(
        api, app, "record_objection", "admin@fz.gov", reason="群众反映夜间违规作业，已核实不属实"
    )
    assert app["state"] == "publicity" and "不属实" in app["reasons"]
    refused = act(api, app, "certify", "admin@fz.gov", expect=409)
    assert "公示期" in refused["detail"]
    clock.advance(14)
    app = act(api, app, "certify", "admin@fz.gov")
    assert app["state"] == "certified"

    events = api.call("GET", f"/api/v1/applications/{app['id']}/events", "admin@fz.gov")["items"]
    actions = [e["action"] for e in events]
    assert actions == [
        "application.created",
        "application.submit",
        "application.accept",
        "application.assign",
        "review.scored",
        "application.conclude_pass",
        "application.approve",
        "application.record_objection",
        "application.certify",
    ]
    state = None
    for e in events:  # the audit trail replays to the final state
        if e["before"] and "state" in e["before"]:
            assert e["before"]["state"] == state
        state = (e["after"] or {}).get("state", state)
    assert state == app["state"]

    certificate = _certificate_number(api, app)
    public = api.call("GET", f"/api/v1/certificates/{certificate}")
    assert public == {
        "number": certificate,
        "enterprise_name": FUZHOU["name"],
        "grade": "达标",
        "status": "valid",
        "valid_until": public["valid_until"],
        "valid": True,
    }
    assert public["valid_until"].startswith(str(clock.today.year + 3))
    act(api, app, "revoke", "admin@fz.gov", expect=422)  # a reason is required
    act(api, app, "revoke", "admin@fz.gov", reason="瞒报事故")
    assert api.call("GET", f"/api/v1/certificates/{certificate}")["status"] == "revoked"
    api.call("GET", "/api/v1/certificates/AB35-2026-999999", expect=404)


def _first_deduction(api, assessment) -> str:
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", "ent@fz.cn")
    return checklist["elements"][0]["elements"][0]["items"][0]["deductions"][0]["id"]


def _certificate_number(api, app) -> str:
    events = api.call("GET", f"/api/v1/applications/{app['id']}/events", "admin@fz.gov")["items"]
    assert events[-1]["action"] == "application.certify"
    with api.client.portal() as portal:
        rows = portal.call(_numbers, api)
    return rows[0]


async def _numbers(api):
    from sqlalchemy import select

    from anbiao.api.kernel.models import Certificate

    async with api.client.app.state.db_config.get_session() as session:
        return list(await session.scalars(select(Certificate.number)))


def test_rectification_loop_and_return_reopening(api):
    setup_authority(api)
    _, assessment = start(api)
    saved = answer_all(api, "ent@fz.cn", assessment)
    app = api.call(
        "POST", f"/api/v1/assessments/{assessment['id']}/applications", "ent@fz.cn", expect=201
    )
    app = act(api, app, "submit", "ent@fz.cn")
    act(api, app, "return", "admin@fz.gov", expect=422)  # reasons are required
    app = act(api, app, "return", "admin@fz.gov", reason="附件不全", items=["base.5-1-1.01"])
    assert app["state"] == "returned" and app["reopened_items"] == ["base.5-1-1.01"]
    refused = api.call(
        "PATCH",
        f"/api/v1/assessments/{assessment['id']}/answers",
        "ent@fz.cn",
        expect=409,
        json={
            "version": saved["version"],
            "answers": {"base.5-1-2.01": {"status": "non_compliant"}},
        },
    )
    assert "base.5-1-2.01" in refused["detail"]  # only the reopened items may change
    saved = api.call(
        "PATCH",
        f"/api/v1/assessments/{assessment['id']}/answers",
        "ent@fz.cn",
        json={
            "version": saved["version"],
            "answers": {"base.5-1-1.01": {"status": "compliant", "note": "补充了目标文件"}},
        },
    )
    app = act(api, app, "submit", "ent@fz.cn")
    assert app["reopened_items"] == ["base.5-1-1.01"]  # the resubmission shows what changed
    app = act(api, app, "accept", "admin@fz.gov")
    ids = [
        c["id"]
        for c in api.call("GET", f"/api/v1/applications/{app['id']}/candidates", "admin@fz.gov")
        if not c["conflicts"]
    ][:2]
    app = act(api, app, "assign", "admin@fz.gov", reviewer_ids=ids)
    api.call(
        "PUT",
        f"/api/v1/applications/{app['id']}/review",
        "r1@experts.cn",
        json={"answers": {"base.5-4-4.02": {"status": "non_compliant", "note": "标志缺失"}}},
    )
    app = act(api, app, "conclude_rectify", "r1@experts.cn")
    assert app["state"] == "rectification" and app["due_on"]
    [hazard] = api.call("GET", "/api/v1/hazards", "ent@fz.cn", params={"state": "open"})["items"]
    assert hazard["source"] == "review" and hazard["item_id"] == "base.5-4-4.02"
    listed = lambda **q: api.call("GET", "/api/v1/hazards", "admin@fz.gov", params=q)["total"]  # noqa: E731
    assert listed(region="350102") == 1 and listed(region="350103") == 0
    assert (
        listed(deadlineBefore=hazard["deadline"]) == 0 and listed(deadlineBefore="2099-01-01") == 1
    )
    refused = act(api, app, "submit_rectification", "ent@fz.cn", expect=422)
    assert "1" in refused["detail"]
    path = f"/api/v1/hazards/{hazard['id']}"
    api.call("PATCH", path, "ent@fz.cn", expect=422, json={"state": "submitted"})  # no evidence
    api.call("PATCH", path, "r1@experts.cn", expect=422, json={"owner": "张三"})
    api.call(
        "PATCH",
        path,
        "ent@fz.cn",
        json={
            "owner": "张三",
            "measures": "补设警示标志",
            "evidence": ["photo-1.jpg"],
            "state": "submitted",
        },
    )
    app = act(api, app, "submit_rectification", "ent@fz.cn")
    assert app["state"] == "under_review" and app["cycle"] == 1  # the same reviewers verify
    api.call("PATCH", path, "r1@experts.cn", json={"state": "closed"})  # verified: 销号
    assert api.call("GET", "/api/v1/hazards", "ent@fz.cn", params={"state": "closed"})["total"] == 1
    api.call(
        "PUT",
        f"/api/v1/applications/{app['id']}/review",
        "r1@experts.cn",
        json={"answers": {"base.5-4-4.02": {"status": "compliant"}}},
    )
    app = act(api, app, "conclude_pass", "r1@experts.cn")
    assert app["review_result"]["percentage"] == "100.0"


def test_an_assignment_refuses_non_reviewers_and_who_reviewed_the_enterprise_before(api):
    """Every id named must be a reviewer's; a reviewer of the enterprise's earlier application
    is refused for the next one (上一周期评审过该企业)."""
    first = under_review(api)
    r1 = first["reviewers"][0]
    first = act(api, first, "conclude_fail", "r1@experts.cn")
    act(api, first, "reject", "admin@fz.gov", reason="评审不合格")
    assessment_id = first["assessment_id"]
    path = f"/api/v1/assessments/{assessment_id}/applications"
    app = api.call("POST", path, "ent@fz.cn", expect=201)
    app = act(api, act(api, app, "submit", "ent@fz.cn"), "accept", "admin@fz.gov")
    candidates = api.call("GET", f"/api/v1/applications/{app['id']}/candidates", "admin@fz.gov")
    before = {c["name"] for c in candidates if "上一周期评审过该企业" in c["conflicts"]}
    assert before == {"r1", "r2"}
    admin = api.call("GET", "/api/v1/auth/me", "admin@fz.gov")["id"]
    refused = act(
        api, app, "assign", "admin@fz.gov", expect=422, reviewer_ids=[r1, admin, str(uuid4())]
    )
    assert [e["code"] for e in refused["errors"][1:]] == [
        "review.conflict",
        "review.not_a_reviewer",
        "review.not_a_reviewer",
    ]
    assert refused["errors"][1]["params"]["conflict"]["code"] == "review.reviewed_before"
