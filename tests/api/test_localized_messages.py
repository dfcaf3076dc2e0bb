"""Messages of the engine and the services reach a person in one language: the page's (cookie or
Accept-Language) on the pages, ``Accept-Language`` on the JSON API (Chinese by default)."""

from __future__ import annotations

import re
import uuid

import pytest
from support_api import start
from support_ui import Pages

ITEM = "base.5-1-2.02"  # allows 部分符合 and has deductions
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def pages(api) -> Pages:
    return Pages(api.client)


def _partial_without_deduction(pages: Pages) -> str:
    """Answer ITEM 部分符合 with no deduction through the page's autosave: refused (422)."""
    r = pages.post("/enterprise/assessments")
    assessment = r.headers["location"].rsplit("/", 1)[1]
    overview = pages.get(f"/assessments/{assessment}")
    first = re.search(rf"/assessments/{assessment}/fill/([^\"]+)\"", overview).group(1)
    html = pages.get(f"/assessments/{assessment}/fill/{first}")
    assert f'name="s:{ITEM}" value="partial"' in html  # the first element holds ITEM
    refused = pages.post(
        f"/assessments/{assessment}/fill/{first}",
        {"version": "1", f"s:{ITEM}": "partial"},
        expect=422,
        htmx=True,
    )
    return refused.text


def test_an_engine_refusal_is_chinese_on_the_chinese_page(pages):
    pages.sign_up("ent@fz.cn")
    text = _partial_without_deduction(pages)
    assert f"{ITEM}：选“部分符合”时请至少勾选一项扣分项" in text
    assert "partial answer needs" not in text


def test_an_engine_refusal_is_english_on_the_english_page(pages):
    pages.sign_up("ent@fz.cn")
    pages.get("/lang/en?next=/enterprise")  # the language cookie, then the dashboard
    text = _partial_without_deduction(pages)
    assert f"{ITEM}: a partial answer needs at least one deduction" in text
    message = re.search(r"<strong>(.*?)</strong>", text).group(1)
    assert not CHINESE.search(message), message


def _patch_partial(api, assessment: dict, **headers: str):
    return api.client.patch(
        f"/api/v1/assessments/{assessment['id']}/answers",
        headers={**api.login("ent@fz.cn"), **headers},
        json={"version": assessment["version"], "answers": {ITEM: {"status": "partial"}}},
    )


def test_api_problems_follow_accept_language_chinese_by_default(api):
    _, assessment = start(api)
    chinese = _patch_partial(api, assessment)
    assert chinese.status_code == 422 and chinese.headers["content-language"] == "zh-CN"
    body = chinese.json()
    assert body["detail"] == f"{ITEM}：选“部分符合”时请至少勾选一项扣分项"
    assert body["errors"] == [
        {
            "code": "answer.partial_needs_deduction",
            "params": {"item": ITEM},
            "message": body["detail"],
        }
    ]
    english = _patch_partial(api, assessment, **{"Accept-Language": "en-GB,en;q=0.8"}).json()
    assert english["detail"] == f"{ITEM}: a partial answer needs at least one deduction"
    assert english["errors"][0]["code"] == "answer.partial_needs_deduction"


def test_api_service_and_http_errors_follow_accept_language(api):
    start(api)
    missing = f"/api/v1/assessments/{uuid.uuid4()}"
    headers = api.login("ent@fz.cn")
    chinese = api.client.get(missing, headers=headers).json()
    english = api.client.get(missing, headers={**headers, "Accept-Language": "en"}).json()
    assert chinese["status"] == english["status"] == 404
    assert chinese["title"] == "自评不存在"
    assert english["title"] == "assessment not found"
    assert chinese["errors"] == [
        {"code": "assessment.not_found", "params": {}, "message": "自评不存在"}
    ]
    assert english["errors"][0]["message"] == "assessment not found"


def test_a_second_application_is_refused_in_the_readers_language(api):
    """A service conflict (409) is coded like the engine's refusals."""
    _, assessment = start(api)
    path = f"/api/v1/assessments/{assessment['id']}/applications"
    api.call("POST", path, "ent@fz.cn", expect=201)
    headers = api.login("ent@fz.cn")
    chinese = api.client.post(path, headers=headers)
    english = api.client.post(path, headers={**headers, "Accept-Language": "en"})
    assert chinese.status_code == english.status_code == 409
    assert chinese.json()["detail"] == "已有进行中的评审申请"
    assert english.json()["detail"] == "an application is already in progress"
    assert [e["code"] for e in english.json()["errors"]] == ["application.in_progress"]
