"""A part-time safety officer on a 375 px phone (Debian's chromium, Playwright): fills a long
element with the filter, the search and "next unanswered"; loses the network while saving and
gets every answer saved once it is back; reads a refused answer in the page's language.
Screenshots go to ``build/screenshots``."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from support_api import PASSWORD, Api, served_site, start
from support_browser import Journey, all_saved

LONG = 80  # the element filled here has at least this many items
LIMIT = 1_000_000  # the evidence size limit of this site, below a phone photo's size
PEOPLE = {  # e-mail → USCC
    "long@fz.cn": "91350102MA00000152",
    "offline@fz.cn": "91350102MA00000165",
    "en@fz.cn": "91350102MA00000178",
    "camera@fz.cn": "91350102MA0000018B",
}


@pytest.fixture(scope="module")
def phone_site(tmp_path_factory, worker_id) -> Iterator[tuple[str, dict[str, str]]]:
    """A served app with an enterprise per test, each with a new self-assessment."""

    def seed(api: Api) -> dict[str, str]:
        hazards = ["dust_explosion", "confined_space"]  # 现场管理 grows past LONG items
        return {
            email: start(api, email, uscc=uscc, hazards=hazards)[1]["id"]
            for email, uscc in PEOPLE.items()
        }

    folder = tmp_path_factory.mktemp("phone")
    with served_site(folder, f"phone_{worker_id}", seed, max_upload_bytes=LIMIT) as site:
        yield site


def phone(browser, base: str, email: str, locale: str = "zh-CN") -> Journey:
    j = Journey(browser, base, width=375)
    if locale != "zh-CN":
        j.context.close()
        j.context = browser.new_context(viewport={"width": 375, "height": 800}, locale=locale)
        j.context.on("request", lambda r: j.requests.append(r.url))
        j.page = j.context.new_page()
        j.page.set_default_timeout(15_000)
    j.open("/login")
    login = j.page.locator("form[action='/login']")
    login.locator("input[name=email]").fill(email)
    login.locator("input[name=password]").fill(PASSWORD)
    login.locator("input[name=password]").press("Enter")
    j.page.wait_for_url(re.compile(r"/enterprise$"))
    return j


def longest_element(page: Page, base: str, assessment: str) -> str:
    """The fill path of the element with the most items (read from the overview's counts)."""
    page.goto(f"{base}/assessments/{assessment}")
    rows = page.locator("table tbody tr")
    best, most = "", 0
    for i in range(rows.count()):
        total = int(rows.nth(i).locator("td").nth(1).inner_text().split("/")[1].split()[0])
        if total > most:
            best = rows.nth(i).locator("a").get_attribute("href")
            most = total
    assert most >= LONG, most
    return best


def visible_items(page: Page) -> int:
    return page.locator("article.item:visible").count()


def test_fill_a_long_element_with_filter_search_and_next_unanswered(phone_site, browser):
    base, assessments = phone_site
    j = phone(browser, base, "long@fz.cn")
    page = j.page
    path = longest_element(page, base, assessments["long@fz.cn"])
    page.goto(base + path + "?show=open")
    total = page.locator("article.item").count()
    assert total >= LONG and visible_items(page) == total  # nothing answered yet
    assert j.fits()
    assert "已答 0/" in page.locator("#progress").inner_text()
    standing = page.locator("#progress").inner_text()
    assert "全部答完后给出最终得分率和等级" in standing
    assert not re.search(r"最终得分率 \d", standing)  # no final figure before it is complete
    j.shot("11-fill-long-element-375px", full_page=False)

    # search within the element: only items whose text has the word stay
    first_text = page.locator("article.item .req").first.inner_text()
    word = first_text[:4]
    page.get_by_placeholder("搜索本次自评的检查项").fill(word)
    shown = visible_items(page)
    assert 1 <= shown < total
    for text in page.locator("article.item:visible .req").all_inner_texts():
        assert word in text
    page.get_by_placeholder("搜索本次自评的检查项").fill("")
    assert visible_items(page) == total

    # "next unanswered" by keyboard: focus lands on the first open item's first choice
    page.locator("#next-open").focus()
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.name")
    assert focused.startswith("s:")
    page.keyboard.press("Space")  # answers it (符合) from the keyboard
    all_saved(page)

    radios = page.locator('article.item input[type=radio][value="compliant"]')
    for i in range(radios.count()):
        radios.nth(i).check()
    failing = page.locator('article.item input[type=radio][value="non_compliant"]').nth(3)
    failing.check()
    all_saved(page)
    assert visible_items(page) == total  # answered items stay until the filter is chosen again
    still_open = page.evaluate(
        "[...document.querySelectorAll('article.item[data-state=open]')]"
        ".map(a => a.id + ' ' + a.querySelector('.item-status').textContent)"
    )
    assert still_open == []
    for counter in page.locator("h2 [data-group-count]").all_inner_texts():
        done, of = counter.split("/")
        assert done == of

    page.get_by_role("link", name="未答", exact=True).click()
    assert visible_items(page) == 0 and page.get_by_text("没有符合条件的检查项。").is_visible()
    page.get_by_role("link", name="不符合", exact=True).click()
    assert visible_items(page) == 1
    j.shot("12-fill-filter-failed-375px")
    page.get_by_role("link", name="全部", exact=True).click()
    assert visible_items(page) == total

    page.reload()  # the server's truth
    assert page.locator("article.item input[type=radio]:checked").count() == total
    assert "show=all" in page.url
    assert j.fits()
    assert j.close() == []


def test_an_offline_save_is_kept_and_retried_when_the_network_is_back(phone_site, browser):
    base, assessments = phone_site
    j = phone(browser, base, "offline@fz.cn")
    page = j.page
    page.goto(f"{base}/assessments/{assessments['offline@fz.cn']}")
    j.start_filling()
    item = page.locator("article.item").nth(1)
    item.locator('input[value="compliant"]').check()
    all_saved(page)

    j.context.set_offline(True)
    item.locator('input[value="non_compliant"]').check()
    item.locator("textarea").fill("灭火器压力不足，记录编号 XF-12")
    item.locator("textarea").blur()
    expect(item.locator(".item-status")).to_contain_text("未保存")
    expect(page.locator("#save-status")).to_contain_text("离线")
    expect(item.get_by_role("button", name="重试")).to_be_visible()
    assert item.locator('input[value="non_compliant"]').is_checked()  # nothing typed is lost
    j.shot("13-fill-offline-375px", full_page=False)

    j.context.set_offline(False)  # the `online` event retries by itself
    expect(item.locator(".item-status")).to_contain_text("已保存")
    all_saved(page)

    page.reload()
    item = page.locator("article.item").nth(1)
    assert item.locator('input[value="non_compliant"]').is_checked()
    assert item.locator("textarea").input_value() == "灭火器压力不足，记录编号 XF-12"
    assert j.close() == []


def test_a_refused_answer_reads_in_english_on_the_english_page(phone_site, browser):
    base, assessments = phone_site
    j = phone(browser, base, "en@fz.cn", locale="en-GB")
    page = j.page
    page.goto(f"{base}/assessments/{assessments['en@fz.cn']}")
    j.start_filling("Start")
    item = page.locator("article.item", has=page.locator('input[value="partial"]')).first
    item.locator('input[value="partial"]').check()
    status = item.locator(".item-status")
    expect(status).to_contain_text("Not saved")
    expect(status).to_contain_text("a partial answer needs at least one deduction")
    assert not re.search(r"[\u4e00-\u9fff]", status.inner_text())
    j.shot("14-fill-refused-en-375px", full_page=False)
    item.locator("details", has=page.locator('input[name^="d:"]')).locator("summary").click()
    item.locator('input[type=checkbox][name^="d:"]').first.check()
    expect(status).to_contain_text("Saved")
    assert page.locator("article.item[data-unsaved]").count() == 0
    assert j.close() == []


def test_a_camera_photo_is_scaled_to_fit_and_shown_as_a_thumbnail(phone_site, browser, tmp_path):
    base, assessments = phone_site
    photo = tmp_path / "IMG_20260305_101500.jpg"  # as a phone camera names and sizes it
    Image.effect_noise((3000, 2000), 40).convert("RGB").save(photo, quality=90)
    assert photo.stat().st_size > LIMIT
    j = phone(browser, base, "camera@fz.cn")
    page = j.page
    page.goto(f"{base}/assessments/{assessments['camera@fz.cn']}")
    j.start_filling()
    item = page.locator("article.item").first
    camera = item.locator("input[name=photo]")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"
    camera.set_input_files(photo)
    thumb = item.locator(".evidence-list img")
    # decoding and re-encoding a 6-megapixel photo takes a few seconds on a busy machine
    expect(item.locator(".upload-status")).to_contain_text("已上传", timeout=60_000)
    expect(thumb).to_be_visible()
    stored = page.request.get(base + thumb.get_attribute("src")).body()
    assert len(stored) <= LIMIT
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and max(image.size) <= 2560
    item.scroll_into_view_if_needed()
    j.shot("15-evidence-photo-375px", full_page=False)
    page.reload()  # the server holds it
    expect(page.locator("article.item").first.locator(".evidence-list img")).to_be_visible()
    assert j.close() == []
