"""The action plan (整改计划, issue #13) through the API: its rows and their order, who may read
it, a versioned hazard update (409 with the current state, no partial write, audited), the
bounds of its text, and its PDF and XLSX (also as a section of the self-assessment report)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from support_api import ADMIN, OWNER, Api, answer_all, items_of, setup_authority, start
from support_ui import pdf_problems, pdf_text, xlsx_problems

from anbiao.api.kernel.limits import RESOURCES_MAX
from anbiao.api.kernel.models import Role

OTHER = "other@fz.cn"


def planned(api: Api) -> dict[str, Any]:
    """A complete self-assessment with a major hazard and three general ones: one with a
    deadline ahead, one overdue, one closed (evidence recorded, verified by the authority)."""
    setup_authority(api)
    _, assessment = start(api, OWNER)
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", OWNER)
    items = items_of(checklist)
    major = next(i for i in items.values() if i["major_hazard"])  # (every one is a veto item)
    plain = [i for i in items.values() if not i["major_hazard"] and not i["veto"] and i["guidance"]]
    ahead, overdue, closed = plain[:3]
    failing = {i["id"]: {"status": "non_compliant"} for i in (major, ahead, overdue, closed)}
    answer_all(api, OWNER, assessment, **failing)
    hazards = {h["item_id"]: h for h in api.call("GET", "/api/v1/hazards", OWNER)["items"]}
    today = api.clock.today
    patch(api, hazards[ahead["id"]], deadline=str(today + timedelta(days=10)))
    patch(api, hazards[overdue["id"]], deadline=str(today - timedelta(days=3)))
    patch(api, hazards[closed["id"]], evidence=["整改照片 1"], state="submitted")
    patch(api, hazards[closed["id"]], ADMIN, state="closed")
    return {
        "assessment": assessment["id"],
        "items": items,
        "order": [major["id"], overdue["id"], ahead["id"], closed["id"]],
        "hazards": {h["item_id"]: h["id"] for h in hazards.values()},
    }


def patch(api: Api, hazard: dict[str, Any], as_: str = OWNER, expect: int = 200, **body: Any):
    return api.call("PATCH", f"/api/v1/hazards/{hazard['id']}", as_, expect, json=body)


def plan(api: Api, assessment: str, as_: str = OWNER, expect: int = 200, lang: str = "zh-CN"):
    r = api.client.get(
        f"/api/v1/assessments/{assessment}/action-plan",
        headers={**api.login(as_), "Accept-Language": lang},
    )
    assert r.status_code == expect, r.text
    return r.json()


def test_the_plan_lists_major_first_overdue_first_then_by_deadline_closed_last(api):
    case = planned(api)
    rows = plan(api, case["assessment"])["items"]
    assert [r["item_id"] for r in rows] == case["order"]
    assert [r["level"] for r in rows] == ["major", "general", "general", "general"]
    assert [r["overdue"] for r in rows] == [False, True, False, False]
    assert rows[-1]["state"] == "closed" and rows[0]["state"] == "open"
    first = rows[0]
    assert first["hazard_id"] == case["hazards"][first["item_id"]]
    assert first["source"] == "self" and first["resources"] == "" and first["version"] == 1
    for row in rows:
        item = case["items"][row["item_id"]]
        assert row["requirement"] == item["requirement"]
        assert row["suggested"] == item["guidance"]  # 建议措施: the item's guidance, if any
    assert rows[1]["suggested"]

    english = plan(api, case["assessment"], lang="en")["items"]
    checklist = api.call(
        "GET", f"/api/v1/assessments/{case['assessment']}/checklist?lang=en", OWNER
    )
    en_item = items_of(checklist)[rows[1]["item_id"]]
    assert english[1]["requirement"] == en_item["requirement"] != rows[1]["requirement"]
    assert english[1]["suggested"] == en_item["guidance"] != rows[1]["suggested"]


def test_who_may_read_the_plan_and_its_files(api):
    case = planned(api)
    api.user("admin@xm.gov", Role.admin, region_prefix="3502")
    start(api, OTHER, uscc="91350102MA00000165", name="另一家企业")
    path = f"/api/v1/assessments/{case['assessment']}/action-plan"
    assert len(plan(api, case["assessment"], ADMIN)["items"]) == 4  # the region's authority
    for user, status in ((OTHER, 404), ("admin@xm.gov", 404), ("r1@experts.cn", 403)):
        plan(api, case["assessment"], user, status)
        for fmt in ("pdf", "xlsx"):
            api.call("GET", f"{path}/report?format={fmt}", user, status)
    assert api.client.get(path).status_code == 401
    other_hazard = {"id": case["hazards"][case["order"][0]]}
    patch(api, other_hazard, OTHER, 404, resources="别人的")


def test_a_stale_version_gets_409_with_the_current_state_and_writes_nothing(api):
    case = planned(api)
    row = plan(api, case["assessment"])["items"][0]
    hazard = {"id": row["hazard_id"]}
    saved = patch(api, hazard, resources="专项资金 2 万元", owner="李主任", version=row["version"])
    assert saved["resources"] == "专项资金 2 万元" and saved["version"] == row["version"] + 1
    r = api.client.patch(
        f"/api/v1/hazards/{row['hazard_id']}",
        headers={**api.login(OWNER), "Accept-Language": "en"},
        json={"resources": "另一个人的", "measures": "覆盖", "version": row["version"]},
    )
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["current"]["resources"] == "专项资金 2 万元"
    assert problem["current"]["version"] == saved["version"]
    assert "reload" in problem["detail"]  # in the request's language
    after = plan(api, case["assessment"])["items"][0]
    assert (after["resources"], after["measures"], after["version"]) == (
        "专项资金 2 万元",
        "",
        saved["version"],
    )
    # without a version (existing clients) the write goes through and still counts one up
    assert patch(api, hazard, measures="更换防爆电机")["version"] == saved["version"] + 1

    enterprise = api.call("GET", "/api/v1/auth/me", OWNER)["enterprise_id"]
    events = api.call(
        "GET", f"/api/v1/enterprises/{enterprise}/events", OWNER, params={"limit": 500}
    )["items"]
    updates = [
        e
        for e in events
        if e["action"] == "hazard.updated" and e["after"]["id"] == row["hazard_id"]
    ]
    assert [(e["before"]["resources"], e["after"]["resources"]) for e in updates] == [
        ("", "专项资金 2 万元"),
        ("专项资金 2 万元", "专项资金 2 万元"),
    ]
    assert [(e["before"]["version"], e["after"]["version"]) for e in updates] == [(1, 2), (2, 3)]


def test_resources_and_version_are_bounded(api):
    case = planned(api)
    row = plan(api, case["assessment"])["items"][0]
    hazard = {"id": row["hazard_id"]}
    for body in (
        {"resources": "资" * (RESOURCES_MAX + 1)},
        {"resources": "资金\x00"},
        {"resources": 12},
        {"version": -1},
        {"version": True},
        {"version": 2**31},
    ):
        problem = patch(api, hazard, expect=422, owner="不应写入", **body)
        assert problem["status"] == 422
    assert patch(api, hazard, resources="资" * RESOURCES_MAX)["version"] == 2
    assert plan(api, case["assessment"])["items"][0]["owner"] == ""  # no partial write


def test_plan_pdf_and_xlsx_in_both_languages_and_in_the_self_assessment_report(api):
    case = planned(api)
    row = plan(api, case["assessment"])["items"][0]
    patch(api, {"id": row["hazard_id"]}, resources="改造资金3万元", owner="王工")
    path = f"/api/v1/assessments/{case['assessment']}"
    pdf = api.client.get(
        f"{path}/action-plan/report", params={"format": "pdf"}, headers=api.login(OWNER)
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "安全生产隐患整改计划" in text and "改造资金3万元" in text and "王工" in text
    assert pdf_problems(pdf.content, "zh-CN") == []
    english = api.client.get(
        f"{path}/action-plan/report",
        params={"format": "pdf", "lang": "en"},
        headers=api.login(OWNER),
    )
    assert "Work-safety action plan" in pdf_text(english.content)
    assert pdf_problems(english.content, "en") == []

    xlsx = api.client.get(
        f"{path}/action-plan/report", params={"format": "xlsx"}, headers=api.login(OWNER)
    )
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["概况", "整改计划"]
    sheet = list(book["整改计划"].iter_rows(values_only=True))
    assert sheet[0][:2] == ("检查项", "考评内容") and "所需资源/资金" in sheet[0]
    assert [r[0] for r in sheet[1:]] == case["order"]
    assert sheet[1][sheet[0].index("所需资源/资金")] == "改造资金3万元"
    assert xlsx_problems(xlsx.content, "zh-CN") == []

    report = api.client.get(f"{path}/report", params={"format": "pdf"}, headers=api.login(OWNER))
    assert "整改计划" in pdf_text(report.content)
    assert "改造资金3万元" in pdf_text(report.content)
