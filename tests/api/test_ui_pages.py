"""The browser pages end to end through their forms (no browser): sign-up to certificate,
autosave with optimistic concurrency, CSRF, per-object access, languages, error pages."""

from __future__ import annotations

import re

import pytest
from support import make_profile
from support_api import setup_authority, under_review
from support_ui import Pages, ids

from anbiao.api.kernel.models import Role

ITEM = re.compile(r'name="s:([^"]+)" value="compliant"')


@pytest.fixture
def pages(api) -> Pages:
    setup_authority(api)
    return Pages(api.client)


def fill_everything(pages: Pages, assessment: str, **overrides: str) -> None:
    """Answer every item compliant (or as ``overrides`` say) through the autosave posts."""
    overview = pages.get(f"/assessments/{assessment}")
    for code in dict.fromkeys(ids(rf"/assessments/{assessment}/fill/([^\"]+)\"", overview)):
        html = pages.get(f"/assessments/{assessment}/fill/{code}")
        version = re.search(r'id="version" name="version" value="(\d+)"', html).group(1)
        form = {f"s:{i}": overrides.get(i, "compliant") for i in ITEM.findall(html)}
        r = pages.post(
            f"/assessments/{assessment}/fill/{code}",
            {"version": version, **form},
            expect=200,
            htmx=True,
        )
        assert f'value="{int(version) + 1}" hx-swap-oob="true"' in r.text  # the new version


def start_assessment(pages: Pages) -> str:
    r = pages.post("/enterprise/assessments")
    return r.headers["location"].rsplit("/", 1)[1]


def test_sign_up_to_certificate_through_the_pages(pages, api, clock, core_engine):
    pages.sign_up("ent@fz.cn")
    dashboard = pages.get("/enterprise")
    size = make_profile(region="350102", employees=20, annual_revenue_10k=500).size_class()
    assert (
        "福州示例机械厂" in dashboard
        and {"small": "小型", "micro": "微型"}[size.value] in dashboard
    )

    assessment = start_assessment(pages)
    overview = pages.get(f"/assessments/{assessment}")
    assert "粉尘涉爆" in overview  # the hazard module and why it applies
    fill_everything(pages, assessment)
    result = pages.get(f"/assessments/{assessment}/result")
    assert (
        "100.0%" in result
        and "申请评审" in result
        and "disabled" not in result.split("申请评审")[1][:80]
    )
    workbook = pages.client.get(f"/assessments/{assessment}/report/xlsx")
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")  # an OOXML zip
    application = pages.post(f"/assessments/{assessment}/apply").headers["location"]
    assert "已提交" in pages.get(application)

    pages.sign_in("admin@fz.gov")
    assert "福州示例机械厂" in pages.get("/admin")
    html = pages.get(application)
    version = lambda page: re.search(r'name="version" value="(\d+)"', page).group(1)  # noqa: E731
    pages.post(f"{application}/act/accept", {"version": version(html)})
    html = pages.get(application)
    candidates = ids(r'name="reviewer_ids" value="([^"]+)"(?! disabled)', html)
    assert len(candidates) >= 2
    pages.post(
        f"{application}/act/assign", {"version": version(html), "reviewer_ids": candidates[:2]}
    )
    assert "评审中" in pages.get(application)

    reviewers = [
        e
        for e in ("r1@experts.cn", "r2@experts.cn", "r3@experts.cn")
        if _user_id(api, e) in candidates[:2]
    ]
    for email in reviewers:
        pages.sign_in(email)
        assert "福州示例机械厂" in pages.get("/review")
        first = pages.client.get(
            f"{application.replace('/applications', '/review')}/score", follow_redirects=True
        )
        assert first.status_code == 200 and "企业自评" in first.text
    html = pages.get(application)
    pages.post(f"{application}/act/conclude_pass", {"version": version(html)})

    pages.sign_in("admin@fz.gov")
    html = pages.get(application)
    pages.post(f"{application}/act/approve", {"version": version(html)})
    clock.advance(30)  # past the publicity period
    html = pages.get(application)
    pages.post(f"{application}/act/certify", {"version": version(html)})
    number = re.search(r'/verify/([^"]+)"', pages.get(application)).group(1)
    certificate = pages.client.get(f"/certificates/{number}/pdf")
    assert certificate.headers["content-type"] == "application/pdf"
    assert certificate.content.startswith(b"%PDF")

    statistics = pages.get("/admin/statistics")
    assert (
        "地区安全风险指数排序" in statistics
        and core_engine.catalog.industries["machinery"].title.zh_CN in statistics
        and "已发证" in statistics
    )
    assert "没有超期事项" in pages.get("/admin/overdue")

    pages.client.cookies.clear()
    verified = pages.get(f"/verify/{number}")
    assert "证书有效" in verified and "福州示例机械厂" in verified
    assert "证书无效" not in verified
    pages.get("/verify/AB35-0000-000000", expect=404)


def _user_id(api, email: str) -> str:
    return api.call("GET", "/api/v1/auth/me", email)["id"]


def test_autosave_with_a_stale_version_is_refused_and_loses_nothing(pages):
    pages.sign_up("ent@fz.cn")
    assessment = start_assessment(pages)
    overview = pages.get(f"/assessments/{assessment}")
    code = ids(rf"/assessments/{assessment}/fill/([^\"]+)\"", overview)[0]
    html = pages.get(f"/assessments/{assessment}/fill/{code}")
    first, second = ITEM.findall(html)[:2]
    pages.post(
        f"/assessments/{assessment}/fill/{code}",
        {
            "version": "1",
            f"s:{first}": "na" if f'name="s:{first}" value="na"' in html else "compliant",
        },
        expect=200,
        htmx=True,
    )
    stale = pages.post(
        f"/assessments/{assessment}/fill/{code}",
        {"version": "1", f"s:{second}": "non_compliant"},
        expect=409,
        htmx=True,
    )
    assert "他人修改" in stale.text and stale.text.lstrip().startswith("<div")  # a fragment
    assert "服务器上现为：<strong>未作答" in stale.text  # the server's truth for the item
    pages.client.cookies.set("anbiao_lang", "en")
    english = pages.post(
        f"/assessments/{assessment}/fill/{code}",
        {"version": "1", f"s:{first}": "non_compliant"},
        expect=409,
        htmx=True,
    )
    assert "changed by someone else" in english.text and "Saved on the server:" in english.text
    assert not re.search(r"[\u4e00-\u9fff]", english.text)
    pages.client.cookies.delete("anbiao_lang")
    page = pages.get(f"/assessments/{assessment}/fill/{code}")
    assert re.search(rf'name="s:{re.escape(first)}" value="\w+" checked', page)
    assert not re.search(rf'name="s:{re.escape(second)}" value="\w+" checked', page)


def test_unsafe_requests_need_the_csrf_token(pages):
    pages.sign_up("ent@fz.cn")
    r = pages.client.post("/enterprise/assessments", follow_redirects=False)
    assert r.status_code == 403
    assert pages.client.get("/enterprise").text.count("/assessments/") == 0  # nothing created


def test_pages_are_scoped_like_the_api(pages, api):
    pages.sign_up("ent@fz.cn")
    mine = start_assessment(pages)
    pages.sign_up(
        "other@xm.cn", uscc="91350200MA00000236", region="350203", enterprise_name="厦门示例厂"
    )
    assert "未找到" in pages.get(f"/assessments/{mine}", expect=404)  # an HTML page
    assert "无权访问" in pages.get("/admin", expect=403)
    pages.client.cookies.clear()
    r = pages.client.get("/enterprise", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")


def test_english_on_request_and_chinese_by_default(pages):
    assert "企业注册" in pages.get("/")
    assert "Sign up" in pages.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    pages.get("/lang/en?next=/", expect=303, follow_redirects=False)
    assert "Certificate check" in pages.get("/")


def test_security_headers_and_no_traceback_on_errors(pages):
    r = pages.client.get("/")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    pages.get("/signup")
    bad = pages.post("/signup", {"email": "x", "password": "short", "uscc": "bad"}, expect=422)
    assert "Traceback" not in bad.text and "统一社会信用代码" in bad.text


def test_login_failure_is_shown_and_locks_like_the_api(pages, api):
    api.user("rev@x.cn", Role.reviewer, region_prefix="35")
    pages.get("/login")
    r = pages.post("/login", {"email": "rev@x.cn", "password": "wrong-password"}, expect=401)
    assert "邮箱或密码错误" in r.text


def test_evidence_upload_is_listed_and_downloadable_by_its_owner_only(pages):
    pages.sign_up("ent@fz.cn")
    assessment = start_assessment(pages)
    overview = pages.get(f"/assessments/{assessment}")
    code = ids(rf"/assessments/{assessment}/fill/([^\"]+)\"", overview)[0]
    item = ITEM.findall(pages.get(f"/assessments/{assessment}/fill/{code}"))[0]
    r = pages.client.post(
        f"/assessments/{assessment}/evidence",
        data={"item_id": item},
        files={"file": ("记录.txt", "安全会议记录".encode())},
        headers={"x-csrftoken": pages.token, "hx-request": "true"},
    )
    assert r.status_code == 200 and "记录.txt" in r.text
    link = re.search(r'href="(/evidence/[^"]+)"', r.text).group(1)
    assert pages.client.get(link).content == "安全会议记录".encode()
    refused = pages.client.post(
        f"/assessments/{assessment}/evidence",
        data={"item_id": item},
        files={"file": ("x.exe", b"MZ\x90\x00binary")},
        headers={"x-csrftoken": pages.token, "hx-request": "true"},
    )
    assert refused.status_code == 415 and "不支持的文件类型" in refused.text
    pages.sign_up(
        "other@xm.cn", uscc="91350200MA00000236", region="350203", enterprise_name="厦门示例厂"
    )
    assert pages.client.get(link).status_code == 404


def test_a_reviewer_records_and_withdraws_findings_and_a_major_one_refuses_a_pass(api):
    application = f"/applications/{under_review(api)['id']}"
    pages = Pages(api.client)
    pages.sign_in("r1@experts.cn")
    html = pages.get(application)
    assert "记录问题" in html
    pages.post(
        f"{application}/findings",
        {"text": "配电箱前堆放杂物", "level": "general", "location": "二车间"},
    )
    pages.post(f"{application}/findings", {"text": "除尘器未设泄爆装置", "level": "major"})
    html = pages.get(application)
    assert "配电箱前堆放杂物" in html and "二车间" in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    refused = pages.post(f"{application}/act/conclude_pass", {"version": version}, expect=409)
    assert "重大" in refused.text and "评审中" in refused.text  # shown on the page, state kept
    major = re.findall(r"/findings/([0-9a-f-]+)/withdraw", html)[1]
    after = html.split(f"{major}/withdraw")[1]
    finding_version = re.findall(r'name="version" value="(\d+)"', after)[0]
    pages.post(f"{application}/findings/{major}/withdraw", {"version": finding_version})
    pages.post(f"{application}/act/conclude_pass", {"version": version})
    assert "评审通过" in pages.get(application)
    pages.sign_in("r2@experts.cn")  # the other reviewer sees it, but cannot withdraw it
    assert "配电箱前堆放杂物" in pages.get(application)
