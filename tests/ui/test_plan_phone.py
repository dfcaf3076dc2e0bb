"""The action plan (整改计划, issue #13) on a 375 px phone (Debian's chromium, Playwright): a
part-time safety officer opens the plan from the result page, edits a row, saves it, downloads
the PDF and finds what was typed in its text, downloads the workbook and reads it; once in
Chinese, once in English. Screenshots go to ``build/screenshots``."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from support_api import PASSWORD, Api, answer_all, items_of, served_site, start
from support_browser import Journey
from support_ui import pdf_text

PEOPLE = {"plan@fz.cn": "91350102MA00000152", "plan-en@fz.cn": "91350102MA00000165"}
WORDS = {  # what each person types, and the words the page and files use
    "zh-CN": {
        "locale": "zh-CN",
        "plan": "整改计划",
        "save": "保存",
        "saved": "已保存",
        "state": "整改中",
        "pdf": "下载整改计划 PDF",
        "xlsx": "下载整改计划 Excel",
        "sheet": "整改计划",
        "resources_column": "所需资源/资金",
        "measures": "加装防护罩",
        "owner": "陈工",
        "resources": "资金5千元",
    },
    "en": {
        "locale": "en-GB",
        "plan": "Action plan",
        "save": "Save",
        "saved": "Saved",
        "state": "rectifying",
        "pdf": "Download the action plan (PDF)",
        "xlsx": "Download the action plan (Excel)",
        "sheet": "Action plan",
        "resources_column": "Resources / funds",
        "measures": "Fit a guard",
        "owner": "Chen",
        "resources": "CNY 5000",
    },
}


@pytest.fixture(scope="module")
def plan_site(tmp_path_factory, worker_id) -> Iterator[tuple[str, dict[str, str]]]:
    """A served app; each person's self-assessment has two failing items (two open hazards)."""

    def seed(api: Api) -> dict[str, str]:
        assessments = {}
        for email, uscc in PEOPLE.items():
            assessment = start(api, email, uscc=uscc)[1]
            checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", email)
            failing = [i["id"] for i in items_of(checklist).values() if not i["veto"]][:2]
            answer_all(api, email, assessment, **{i: {"status": "non_compliant"} for i in failing})
            assessments[email] = assessment["id"]
        return assessments

    with served_site(tmp_path_factory.mktemp("plan"), f"plan_{worker_id}", seed) as site:
        yield site


def phone(browser: Any, base: str, email: str, locale: str) -> Journey:
    """A 375 px phone in ``locale``, signed in as ``email``."""
    j = Journey(browser, base, width=375)
    j.context.close()
    j.context = browser.new_context(
        viewport={"width": 375, "height": 800}, locale=locale, accept_downloads=True
    )
    j.context.on("request", lambda r: j.requests.append(r.url))
    j.page = j.context.new_page()
    j.page.set_default_timeout(30_000)
    j.open("/login")
    login = j.page.locator("form[action='/login']")
    login.locator("input[name=email]").fill(email)
    login.locator("input[name=password]").fill(PASSWORD)
    login.locator("input[name=password]").press("Enter")
    j.page.wait_for_url(re.compile(r"/enterprise$"))
    return j


@pytest.mark.parametrize(("lang", "email"), [("zh-CN", "plan@fz.cn"), ("en", "plan-en@fz.cn")])
def test_edit_the_plan_on_a_phone_and_download_it(plan_site, browser, lang, email, tmp_path):
    base, assessments = plan_site
    w = WORDS[lang]
    j = phone(browser, base, email, w["locale"])
    page = j.page
    page.goto(f"{base}/assessments/{assessments[email]}/result")
    page.get_by_role("link", name=w["plan"], exact=True).click()
    page.wait_for_url(re.compile(r"/plan$"))
    assert page.title().startswith(w["plan"])
    rows = page.locator("article.plan-row")
    assert rows.count() == 2
    assert j.fits()  # cards, no wide table

    card = rows.first
    card.locator("textarea[name=measures]").fill(w["measures"])
    card.locator("input[name=owner]").fill(w["owner"])
    card.locator("input[name=deadline]").fill("2026-04-01")
    card.locator("textarea[name=resources]").fill(w["resources"])
    card.locator("select[name=state]").select_option(label=w["state"])
    card.get_by_role("button", name=w["save"], exact=True).click()
    page.wait_for_url(re.compile(r"saved="))
    saved = page.locator("article.plan-row", has=page.get_by_role("status"))
    expect(saved.get_by_role("status")).to_have_text(w["saved"])
    assert saved.locator("textarea[name=resources]").input_value() == w["resources"]
    assert saved.locator("input[name=owner]").input_value() == w["owner"]
    assert j.fits()
    j.shot(f"16-action-plan-{lang}-375px")

    with page.expect_download() as pdf:
        page.get_by_role("link", name=w["pdf"]).click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    text = pdf_text(pdf.value.path().read_bytes())
    for typed in ("measures", "owner", "resources"):
        assert w[typed] in text, (typed, text)
    assert "2026-04-01" in text

    with page.expect_download() as xlsx:
        page.get_by_role("link", name=w["xlsx"]).click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(xlsx.value.path().read_bytes()))
    sheet = list(book[w["sheet"]].iter_rows(values_only=True))
    column = sheet[0].index(w["resources_column"])
    assert [r[column] for r in sheet[1:]].count(w["resources"]) == 1
    assert j.close() == []
