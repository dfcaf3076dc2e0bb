"""Saves that fail on the fill page, in the browser (375 px, zh-CN): another session saved first
(409), and the server failed once (5xx, Playwright answering the autosave with 500). Each is
shown on the item as 未保存 with what to do, the typed answer stays on the page, and a reload
shows the server's truth. Going offline: tests/ui/test_phone.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route, expect
from support_api import Api, served_site, start
from support_browser import Journey, all_saved

PEOPLE = {"conflict@fz.cn": "91350102MA00000152", "failing@fz.cn": "91350102MA00000165"}


@pytest.fixture(scope="module")
def fill_site(tmp_path_factory, worker_id) -> Iterator[tuple[str, dict[str, str]]]:
    """A served app with an enterprise per test, each with a new self-assessment."""

    def seed(api: Api) -> dict[str, str]:
        return {email: start(api, email, uscc=uscc)[1]["id"] for email, uscc in PEOPLE.items()}

    folder = tmp_path_factory.mktemp("fill-failures")
    with served_site(folder, f"fill_failures_{worker_id}", seed) as site:
        yield site


def first_element(j: Journey, assessment: str) -> Page:
    j.open(f"/assessments/{assessment}")
    j.start_filling()
    j.page.wait_for_selector("#items")
    return j.page


def test_a_save_after_another_session_saved_shows_the_conflict(fill_site, browser):
    base, assessments = fill_site
    assessment = assessments["conflict@fz.cn"]
    mine, other = Journey(browser, base, width=375), Journey(browser, base, width=375)
    for j in (mine, other):
        j.log_in("conflict@fz.cn")
    page, theirs = first_element(mine, assessment), first_element(other, assessment)

    theirs.locator("article.item").nth(0).locator('input[value="compliant"]').check()
    all_saved(theirs)  # the other session saved first: the page here holds an older version

    item = page.locator("article.item").nth(0)
    item.locator('input[value="non_compliant"]').check()
    item.locator("textarea").fill("消防通道堆放纸箱")
    item.locator("textarea").blur()
    status = item.locator(".item-status")
    expect(status).to_contain_text("未保存")
    expect(status).to_contain_text("数据已被他人修改，请刷新后重试")  # the page's language
    expect(status).to_contain_text("服务器上现为：符合")  # what the other session saved
    assert not re.search(r"[A-Za-z]{4,}", status.inner_text())
    reload = item.get_by_role("button", name="刷新页面")
    expect(reload).to_be_visible()
    expect(page.locator("#save-status")).to_contain_text("项未保存")
    assert item.locator('input[value="non_compliant"]').is_checked()  # nothing typed is lost
    assert item.locator("textarea").input_value() == "消防通道堆放纸箱"
    assert item.get_attribute("data-unsaved") == "409"
    mine.shot("17-fill-conflict-375px", full_page=False)

    # the typed answer is guarded: leaving asks first; agreeing shows the server's truth
    page.once("dialog", lambda dialog: dialog.accept())
    reload.click()
    page.wait_for_load_state()
    item = page.locator("article.item").nth(0)
    expect(item.locator('input[value="compliant"]')).to_be_checked()
    assert item.locator("textarea").input_value() == ""
    assert page.locator("article.item[data-unsaved]").count() == 0
    assert mine.close() == [] and other.close() == []


def test_a_server_failure_is_retried_and_nothing_typed_is_lost(fill_site, browser):
    base, assessments = fill_site
    j = Journey(browser, base, width=375)
    j.log_in("failing@fz.cn")
    page = first_element(j, assessments["failing@fz.cn"])
    failed: list[str] = []

    def fail_once(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        failed.append(route.request.url)
        route.fulfill(
            status=500,
            content_type="text/html; charset=utf-8",
            body='<div class="notice error" role="alert"><strong>内部错误</strong></div>',
        )

    fill_url = re.compile(r"/assessments/[0-9a-f-]+/fill/")

    # 1. the retry button saves it
    first = page.locator("article.item").nth(0)
    page.route(fill_url, fail_once, times=1)
    first.locator('input[value="non_compliant"]').check()
    expect(first.locator(".item-status")).to_contain_text("未保存")
    retry = first.get_by_role("button", name="重试")
    expect(retry).to_be_visible()
    assert len(failed) == 1 and first.locator('input[value="non_compliant"]').is_checked()
    expect(page.locator("#save-status")).to_contain_text("1 项未保存")
    j.shot("18-fill-server-error-375px", full_page=False)
    retry.click()
    expect(first.locator(".item-status")).to_contain_text("已保存")
    all_saved(page)

    # 2. the next change of the item saves it, with what was typed before
    second = page.locator("article.item").nth(1)
    page.route(fill_url, fail_once, times=1)
    second.locator('input[value="compliant"]').check()
    expect(second.locator(".item-status")).to_contain_text("未保存")
    assert len(failed) == 2
    second.locator("textarea").fill("每月检查，记录编号 XJ-07")
    second.locator("textarea").blur()
    expect(second.locator(".item-status")).to_contain_text("已保存")
    all_saved(page)
    assert page.locator("article.item[data-unsaved]").count() == 0

    page.reload()  # the server's truth: both answers as typed
    first, second = page.locator("article.item").nth(0), page.locator("article.item").nth(1)
    expect(first.locator('input[value="non_compliant"]')).to_be_checked()
    expect(second.locator('input[value="compliant"]')).to_be_checked()
    assert second.locator("textarea").input_value() == "每月检查，记录编号 XJ-07"
    assert len(failed) == 2  # no other request was answered with a failure
    assert j.close() == []
