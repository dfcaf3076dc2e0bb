"""The action plan page (整改计划, issue #13) through its forms, without a browser: linked from the
result and hazards pages, every row saved on its own (POST, 303), a stale row (409) showing the
saved values and keeping what was typed, refusals in the page's language, its downloads, and
nobody else's plan."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from support_api import OWNER, Api, answer_all, items_of, setup_authority, start
from support_ui import Pages, pdf_text

from anbiao.api.kernel.limits import RESOURCES_MAX


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    """An enterprise whose self-assessment has two failing items (two open hazards)."""
    setup_authority(api)
    _, assessment = start(api, OWNER)
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", OWNER)
    failing = [i for i in items_of(checklist).values() if not i["veto"]][:2]
    answer_all(api, OWNER, assessment, **{i["id"]: {"status": "non_compliant"} for i in failing})
    hazards = api.call("GET", "/api/v1/hazards", OWNER)["items"]
    pages = Pages(api.client)
    pages.sign_in(OWNER)
    return {"assessment": assessment["id"], "hazards": hazards, "pages": pages}


def row(page: str, hazard: str) -> str:
    """The card of one hazard on the plan page."""
    found = re.search(
        rf'<article class="card plan-row" id="plan-{hazard}">(.*?)</article>', page, re.S
    )
    assert found, hazard
    return found.group(1)


def typed(**values: str) -> dict[str, str]:
    return {"measures": "", "owner": "", "deadline": "", "resources": "", "state": "open"} | values


def test_a_row_is_edited_in_the_page_and_downloaded(case):
    pages, assessment = case["pages"], case["assessment"]
    plan = f"/assessments/{assessment}/plan"
    assert f'href="{plan}"' in pages.get(f"/assessments/{assessment}/result")
    assert f'href="{plan}"' in pages.get("/hazards")
    page = pages.get(plan)
    assert "<title>整改计划 · 自评结果" in page
    assert f'href="{plan}/report/pdf"' in page and f'href="{plan}/report/xlsx"' in page
    assert page.count('class="card plan-row"') == len(case["hazards"]) == 2
    hazard = case["hazards"][0]["id"]
    assert 'name="version" value="1"' in row(page, hazard)

    body = typed(measures="更换防护罩", owner="陈工", deadline="2026-04-01", resources="资金5千元")
    r = pages.post(f"{plan}/{hazard}", {**body, "state": "rectifying", "version": "1"})
    assert r.headers["location"] == f"{plan}?saved={hazard}#plan-{hazard}"
    card = row(pages.get(r.headers["location"]), hazard)
    assert "已保存" in card and 'name="version" value="2"' in card
    assert ">更换防护罩</textarea>" in card and 'value="陈工"' in card
    assert 'value="2026-04-01"' in card and ">资金5千元</textarea>" in card
    assert 'value="rectifying" selected' in card
    other = row(pages.get(plan), case["hazards"][1]["id"])
    assert "已保存" not in other and "陈工" not in other

    pdf = pages.client.get(f"{plan}/report/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "资金5千元" in pdf_text(pdf.content) and "陈工" in pdf_text(pdf.content)
    xlsx = pages.client.get(f"{plan}/report/xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("lang", "message"), [("zh-CN", "数据已被他人修改"), ("en", "changed by someone else")]
)
def test_a_stale_row_shows_the_saved_values_and_keeps_what_was_typed(api, case, lang, message):
    pages, assessment = case["pages"], case["assessment"]
    pages.client.cookies.set("anbiao_lang", lang)
    hazard = case["hazards"][0]["id"]
    api.call(
        "PATCH",
        f"/api/v1/hazards/{hazard}",
        OWNER,
        json={"owner": "另一位同事", "resources": "已批预算", "version": 1},
    )
    body = typed(measures="加装急停按钮", owner="陈工", resources="资金5千元")
    r = pages.post(f"/assessments/{assessment}/plan/{hazard}", {**body, "version": "1"}, expect=409)
    card = html.unescape(row(r.text, hazard))
    assert message in card
    current = re.search(r'<ul class="current">(.*?)</ul>', card, re.S).group(1)
    assert "另一位同事" in current and "已批预算" in current  # what is saved now
    assert ">加装急停按钮</textarea>" in card and 'value="陈工"' in card  # what was typed
    assert ">资金5千元</textarea>" in card and 'name="version" value="2"' in card
    saved = api.call("GET", f"/api/v1/assessments/{assessment}/action-plan", OWNER)["items"]
    assert next(h for h in saved if h["hazard_id"] == hazard)["owner"] == "另一位同事"

    pages.post(f"/assessments/{assessment}/plan/{hazard}", {**body, "version": "2"})  # on purpose
    saved = api.call("GET", f"/api/v1/assessments/{assessment}/action-plan", OWNER)["items"]
    mine = next(h for h in saved if h["hazard_id"] == hazard)
    assert (mine["owner"], mine["measures"], mine["version"]) == ("陈工", "加装急停按钮", 3)


@pytest.mark.parametrize(
    ("lang", "too_long", "no_evidence"),
    [
        ("zh-CN", f"所需资源/资金: 最多 {RESOURCES_MAX} 个字符", "请先上传整改证据"),
        ("en", f"Resources / funds: at most {RESOURCES_MAX} characters", "evidence is required"),
    ],
)
def test_refusals_read_in_the_page_language_and_keep_the_row(case, lang, too_long, no_evidence):
    pages, assessment = case["pages"], case["assessment"]
    pages.client.cookies.set("anbiao_lang", lang)
    hazard = case["hazards"][0]["id"]
    path = f"/assessments/{assessment}/plan/{hazard}"
    body = typed(owner="陈工", resources="资" * (RESOURCES_MAX + 1))
    card = html.unescape(row(pages.post(path, {**body, "version": "1"}, expect=422).text, hazard))
    assert too_long in card and 'value="陈工"' in card
    assert 'value="submitted"' not in card  # no evidence yet: not offered
    r = pages.post(path, {**typed(owner="陈工"), "state": "submitted", "version": "1"}, expect=422)
    assert no_evidence in html.unescape(row(r.text, hazard))
    plan = pages.get(f"/assessments/{assessment}/plan")
    assert 'name="version" value="1"' in row(plan, hazard) and "陈工" not in plan  # nothing written


def test_nobody_else_sees_or_edits_the_plan(api, case):
    assessment, hazard = case["assessment"], case["hazards"][0]["id"]
    start(api, "other@fz.cn", uscc="91350102MA00000165", name="另一家企业")
    other = Pages(api.client)
    other.sign_in("other@fz.cn")
    other.get(f"/assessments/{assessment}/plan", expect=404)
    other.post(f"/assessments/{assessment}/plan/{hazard}", {**typed(), "version": "1"}, expect=404)
    assert other.client.get(f"/assessments/{assessment}/plan/report/pdf").status_code == 404
    admin = Pages(api.client)
    admin.sign_in("admin@fz.gov")
    admin.get(f"/assessments/{assessment}/plan", expect=403)


def test_the_hazards_page_sends_the_version_and_refuses_a_stale_form(api, case):
    pages, hazard = case["pages"], case["hazards"][0]["id"]
    page = pages.get("/hazards")
    form = re.search(rf'<form method="post" action="/hazards/{hazard}">(.*?)</form>', page, re.S)
    assert 'name="version" value="1"' in form.group(1)
    body = {"owner": "陈工", "measures": "", "deadline": "", "evidence": "", "state": ""}
    pages.post(f"/hazards/{hazard}", {**body, "back": "/hazards", "version": "1"})
    r = pages.post(f"/hazards/{hazard}", {**body, "owner": "旧表单", "version": "1"}, expect=409)
    assert "数据已被他人修改" in r.text
    saved = api.call("GET", "/api/v1/hazards", OWNER)["items"]
    assert next(h for h in saved if h["id"] == hazard)["owner"] == "陈工"
    r = pages.post(f"/hazards/{hazard}", {**body, "state": "submitted"}, expect=422)
    assert "请先上传整改证据" in r.text  # a refusal is a page, not a 500
