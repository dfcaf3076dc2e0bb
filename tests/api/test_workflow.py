"""From registration to certificate and public verification, with the rules on the way."""

from __future__ import annotations

from anbiao.api.db import Role

FUZHOU = {"region": "350102", "uscc": "91350102MA00000152", "name": "福州示例机械厂"}


def setup_authority(api) -> None:
    api.user("admin@fz.gov", Role.admin, region_prefix="3501")
    for n, employer in ((1, "甲咨询"), (2, "乙咨询"), (3, "示例咨询")):
        api.user(f"r{n}@experts.cn", Role.reviewer, region_prefix="35", employer=employer,
                 domains=["machinery", "dust_explosion"])


def start(api, email="ent@fz.cn", **profile):
    me = api.signup(email, **{**FUZHOU, **profile})
    enterprise = me["enterprise_id"]
    assessment = api.call("POST", f"/api/v1/enterprises/{enterprise}/assessments", email,
                          expect=201)
    return enterprise, assessment


def answer_all(api, email, assessment, **overrides):
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", email)
    ids = []

    def walk(elements):
        for element in elements:
            ids.extend(i["id"] for i in element["items"])
            walk(element["elements"])

    walk(checklist["elements"])
    answers = {i: {"status": "compliant"} for i in ids} | overrides
    return api.call("PATCH", f"/api/v1/assessments/{assessment['id']}/answers", email,
                    json={"version": assessment["version"], "answers": answers})


def act(api, app, action, as_, expect=200, **body):
    return api.call("POST", f"/api/v1/applications/{app['id']}/actions/{action}", as_,
                    expect=expect, json={"version": app["version"], **body})


def test_registration_to_certificate_and_verification(api, clock):
    setup_authority(api)
    enterprise, assessment = start(api, consultant="示例咨询")
    saved = answer_all(api, "ent@fz.cn", assessment, **{
        "base.5-1-1.01": {"status": "partial", "deductions": [_first_deduction(api, assessment)]}})
    assert saved["result"]["complete"] and saved["result"]["eligible"]
    app = api.call("POST", f"/api/v1/assessments/{assessment['id']}/applications", "ent@fz.cn",
                   expect=201)
    assert app["state"] == "draft" and app["allowed_actions"] == ["submit", "withdraw"]
    app = act(api, app, "submit", "ent@fz.cn")
    assert app["state"] == "submitted" and app["due_on"] > str(clock.today)
    # the answers the application is judged on are frozen with it
    api.call("PATCH", f"/api/v1/assessments/{assessment['id']}/answers", "ent@fz.cn",
             expect=409, json={"version": saved["version"], "answers": {}})

    app = act(api, app, "accept", "admin@fz.gov")
    reviewers = {r["name"]: r for r in api.call(
        "GET", f"/api/v1/applications/{app['id']}/candidates", "admin@fz.gov")}
    assert reviewers["r3"]["conflicts"] and not reviewers["r1"]["conflicts"]  # same consultant
    refused = act(api, app, "assign", "admin@fz.gov", expect=422,
                  reviewer_ids=[reviewers["r1"]["id"], reviewers["r3"]["id"]])
    assert any("利益冲突" in r for r in refused["reasons"])
    act(api, app, "assign", "admin@fz.gov", expect=422, reviewer_ids=[reviewers["r1"]["id"]])
    app = act(api, app, "assign", "admin@fz.gov",
              reviewer_ids=[reviewers["r1"]["id"], reviewers["r2"]["id"]])
    assert app["state"] == "under_review" and len(app["reviewers"]) == 2

    comparison = api.call("PUT", f"/api/v1/applications/{app['id']}/review", "r1@experts.cn",
                          json={"answers": {"base.5-1-2.01": {"status": "non_compliant"}}})
    delta = {i["item_id"]: i for i in comparison["items"]}["base.5-1-2.01"]
    assert delta["self_status"] == "compliant" and delta["delta"] < 0
    assert comparison["review_earned"] < comparison["self_earned"]
    api.call("PUT", f"/api/v1/applications/{app['id']}/review", "r3@experts.cn", expect=404,
             json={"answers": {}})  # not assigned: the application does not exist for them
    app = act(api, app, "conclude_pass", "r1@experts.cn")
    assert app["state"] == "reviewed_pass" and app["review_result"]["passed"]

    app = act(api, app, "approve", "admin@fz.gov")
    assert app["state"] == "publicity"
    refused = act(api, app, "certify", "admin@fz.gov", expect=409)
    assert "公示期" in refused["detail"]
    clock.advance(14)
    app = act(api, app, "certify", "admin@fz.gov")
    assert app["state"] == "certified"

    events = api.call("GET", f"/api/v1/applications/{app['id']}/events", "admin@fz.gov")["items"]
    actions = [e["action"] for e in events]
    assert actions == ["application.created", "application.submit", "application.accept",
                       "application.assign", "review.scored", "application.conclude_pass",
                       "application.approve", "application.certify"]
    state = None
    for e in events:  # the audit trail replays to the final state
        if e["before"] and "state" in e["before"]:
            assert e["before"]["state"] == state
        state = (e["after"] or {}).get("state", state)
    assert state == app["state"]

    certificate = _certificate_number(api, app)
    public = api.call("GET", f"/api/v1/certificates/{certificate}")
    assert public == {"number": certificate, "enterprise_name": FUZHOU["name"], "grade": "达标",
                      "status": "valid", "valid_until": public["valid_until"], "valid": True}
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

    from anbiao.api.db import Certificate

    async with api.client.app.state.db_config.get_session() as session:
        return list(await session.scalars(select(Certificate.number)))
