"""The whole journey in Debian's chromium (Playwright, headless): an enterprise signs up on a
375 px phone screen, fills its checklist and applies; the authority accepts and assigns; a
reviewer scores and concludes; the authority certifies; the public page verifies. No request
may leave localhost; screenshots of the main pages go to ``build/screenshots``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from support_api import PASSWORD, Api, Clock, served_site, setup_authority
from support_browser import SCREENSHOTS, Journey


@pytest.fixture(scope="module")
def site(tmp_path_factory, worker_id) -> Iterator[tuple[str, Clock]]:
    def seed(api: Api) -> Clock:
        setup_authority(api)  # the authority and three reviewers
        return api.clock

    with served_site(tmp_path_factory.mktemp("browser"), f"browser_{worker_id}", seed) as site:
        yield site


def test_enterprise_to_certificate_in_the_browser(site, browser, capsys):
    base, clock = site
    foreign: list[str] = []

    ent = Journey(browser, base, width=375)  # a phone
    ent.open("/signup")
    page = ent.page
    page.get_by_label("联系人姓名").fill("王安全")
    page.get_by_label("电子邮箱").fill("ent@fz.cn")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("企业名称").fill("福州示例机械厂")
    page.get_by_label("统一社会信用代码").fill("91350102MA00000152")
    page.get_by_label("行政区划代码").fill("350102")
    page.get_by_label("行业", exact=True).select_option("machinery")
    page.get_by_label("粉尘涉爆").check()
    page.get_by_label("从业人员").fill("20")
    page.get_by_label("营业收入（万元）").fill("500")
    page.get_by_label("营业收入（万元）").blur()
    page.locator("#profile-check").get_by_text("企业规模").wait_for()  # live check (htmx)
    assert ent.fits()
    ent.shot("01-signup-375px")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(re.compile(r"/enterprise$"))
    ent.shot("02-enterprise-dashboard")

    page.get_by_role("button", name="开始新的自评").click()
    page.wait_for_url(re.compile(r"/assessments/[0-9a-f-]+$"))
    assert "粉尘涉爆" in page.content()
    ent.shot("03-assessment-overview")
    assert ent.fits()
    ent.start_filling()
    first = True
    while True:
        radios = page.locator('input[type=radio][value="compliant"]')
        for i in range(radios.count()):
            radios.nth(i).check()
        page.locator("#save-status").get_by_text("已保存").wait_for()
        page.wait_for_load_state("networkidle")  # the queued autosaves have all been answered
        if first:
            assert ent.fits()
            ent.shot("04-fill-element-375px")
            first = False
        following = page.get_by_role("link", name="下一要素 →")
        if not following.count():
            break
        target = following.get_attribute("href")
        following.click()  # the page goes once its autosaves are all answered
        page.wait_for_url(f"**{target}")
    page.get_by_role("link", name="查看结果").click()
    page.wait_for_url(re.compile(r"/result$"))
    assert "100.0%" in page.content()
    ent.shot("05-result")
    page.get_by_role("button", name="申请评审").click()
    page.wait_for_url(re.compile(r"/applications/[0-9a-f-]+$"))
    application = urlsplit(page.url).path
    assert "已提交" in page.content()
    foreign += ent.close()

    admin = Journey(browser, base)
    admin.log_in("admin@fz.gov")
    admin.page.get_by_role("link", name="福州示例机械厂").click()
    admin.act("受理")
    boxes = admin.page.locator('input[name="reviewer_ids"]:not([disabled])')
    boxes.nth(0).check()
    boxes.nth(1).check()
    admin.shot("06-admin-assign")
    admin.act("指派评审员")
    assert "评审中" in admin.page.content()
    reviewer_names = admin.page.locator("th:has-text('评审员') + td").inner_text()
    foreign += admin.close()

    email = next(
        e
        for e, name in (("r1@experts.cn", "r1"), ("r2@experts.cn", "r2"), ("r3@experts.cn", "r3"))
        if name in reviewer_names
    )
    rev = Journey(browser, base)
    rev.log_in(email)
    rev.page.get_by_role("link", name="福州示例机械厂").click()
    rev.page.get_by_role("link", name="现场评分").click()
    rev.page.locator('input[type=radio][value="compliant"]').first.check()
    rev.page.locator("#save-status").get_by_text("已保存").wait_for()
    rev.shot("07-review-scoring")
    rev.page.get_by_role("link", name="完成评分，去下结论").click()
    rev.act("评审结论：通过")
    assert "评审通过" in rev.page.content()
    foreign += rev.close()

    admin = Journey(browser, base)
    admin.log_in("admin@fz.gov")
    admin.open(application)
    admin.act("审定通过并公示")
    clock.advance(30)  # the publicity period has run
    admin.open(application)
    admin.act("发证")
    number = admin.page.locator("a[href^='/verify/']").first.inner_text()
    admin.shot("08-certified")
    admin.open("/admin/statistics")
    assert "地区安全风险指数排序" in admin.page.content()
    admin.shot("09-statistics")
    foreign += admin.close()

    public = Journey(browser, base, width=375)
    public.open("/verify")
    public.page.get_by_label("证书编号").fill(number)
    public.page.get_by_role("button", name="查询").click()
    public.page.get_by_text("证书有效").wait_for()
    assert "福州示例机械厂" in public.page.content()
    public.shot("10-verify-375px")
    foreign += public.close()

    assert foreign == [], f"requests left localhost: {foreign}"
    with capsys.disabled():
        print(f"\nbrowser screenshots: {SCREENSHOTS}")
