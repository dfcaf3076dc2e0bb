"""Every page of the browser journey and every report, in Chinese and in English, passes the
render check (``support_ui.page_problems`` and friends): no Python internals, no template syntax,
no None shown as a value, no label of the other language, no empty heading (issue #17).

One database is seeded once for the module: a certified enterprise (with a second, unfinished
self-assessment and an overdue hazard), one under review with a finding, one accepted and waiting
for reviewers. Each language browses it as the public, the enterprise, the authority and a
reviewer, and downloads every report as the pages offer it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from support_api import (
    ADMIN,
    OWNER,
    Api,
    Clock,
    act,
    answer_all,
    fresh_database,
    items_of,
    make_app,
    start,
    to_certificate,
)
from support_evidence import make_jpeg
from support_ui import (
    Pages,
    assert_renders_cleanly,
    ids,
    page_problems,
    pdf_problems,
    xlsx_problems,
)

from anbiao.api.reports import render
from anbiao.core.uscc import check_digit

REVIEWER = "r1@experts.cn"


@dataclass
class Seeded:
    client: Any
    certified: dict[str, Any]  # to_certificate's case: assessment, application, number…
    unfinished: str  # the certified enterprise's second self-assessment, partly answered
    under_review: str  # another enterprise's application, r1 and r2 assigned
    accepted: str  # a third enterprise's application, waiting for reviewers


def enterprise(api: Api, email: str, serial: str, name: str) -> dict[str, Any]:
    """Another Fuzhou enterprise with a complete self-assessment, its application submitted."""
    body = f"91350102MA00000{serial}"
    _, assessment = start(api, email, uscc=body + check_digit(body), name=name)
    answer_all(api, email, assessment)
    app = api.call("POST", f"/api/v1/assessments/{assessment['id']}/applications", email, 201)
    return act(api, act(api, app, "submit", email), "accept", ADMIN)


def seed(api: Api, clock: Clock) -> dict[str, Any]:
    certified = to_certificate(api, clock)
    owner = api.call("GET", "/api/v1/auth/me", OWNER)
    second = api.call(
        "POST", f"/api/v1/enterprises/{owner['enterprise_id']}/assessments", OWNER, 201
    )
    checklist = api.call("GET", f"/api/v1/assessments/{second['id']}/checklist", OWNER)
    items = list(items_of(checklist).values())
    veto = next(i for i in items if i["veto"])
    answers = {i["id"]: {"status": "compliant"} for i in items[:6]}
    answers[veto["id"]] = {"status": "non_compliant", "note": "未设置泄爆装置"}
    api.call(
        "PATCH",
        f"/api/v1/assessments/{second['id']}/answers",
        OWNER,
        json={"version": second["version"], "answers": answers},
    )
    hazard = api.call("GET", "/api/v1/hazards", OWNER)["items"][0]
    api.call(
        "PATCH",
        f"/api/v1/hazards/{hazard['id']}",
        OWNER,
        json={
            "owner": "张安全",
            "measures": "补建设备台账并指定专人维护",
            "deadline": str(clock.today - timedelta(days=5)),
        },
    )

    reviewing = enterprise(api, "ent2@fz.cn", "26", "福州第二示例厂")
    people = {
        c["name"]: c["id"]
        for c in api.call("GET", f"/api/v1/applications/{reviewing['id']}/candidates", ADMIN)
    }
    act(api, reviewing, "assign", ADMIN, reviewer_ids=[people["r1"], people["r2"]])
    finding = api.call(
        "POST",
        f"/api/v1/applications/{reviewing['id']}/findings",
        REVIEWER,
        201,
        json={"text": "配电箱前堆放杂物", "level": "general", "location": "二车间"},
    )
    api.call(  # a photo on the finding: thumbnails on the page and in the review report
        "POST",
        f"/api/v1/applications/{reviewing['id']}/findings/{finding['id']}/photos",
        REVIEWER,
        201,
        files={"file": ("IMG_0001.jpg", make_jpeg(), "image/jpeg")},
    )
    waiting = enterprise(api, "ent3@fz.cn", "34", "福州第三示例厂")
    clock.advance(40)  # the open deadlines have passed: the overdue lists have rows
    return {
        "certified": certified,
        "unfinished": second["id"],
        "under_review": reviewing["id"],
        "accepted": waiting["id"],
    }


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, worker_id) -> Iterator[Seeded]:
    from anbiao.core.engine import Engine

    clock = Clock()
    url = fresh_database(tmp_path_factory.mktemp("rendering"), f"rendering_{worker_id}")
    with TestClient(make_app(url, Engine.from_plugins(load_entrypoints=False), clock)) as client:
        yield Seeded(client, **seed(Api(client, clock), clock))


class Reader(Pages):
    """Browses in one language and keeps the render check's findings per page."""

    def __init__(self, client: Any, lang: str) -> None:
        super().__init__(client)
        self.lang = lang
        self.found: dict[str, list[str]] = {}
        self.who = "public"

    def as_(self, email: str | None) -> None:
        if email:
            self.sign_in(email)
        else:
            self.client.cookies.clear()
        self.client.cookies.set("anbiao_lang", self.lang)
        self.who = email or "public"

    def get(self, path: str, expect: int = 200, **kw: Any) -> str:
        html = super().get(path, expect, **kw)
        self.found[f"{self.lang} {self.who} GET {path}"] = page_problems(html, self.lang)
        return html

    def post(self, path: str, data: dict[str, Any] | None = None, expect: int = 303, **kw: Any):
        r = super().post(path, data, expect, **kw)
        if r.headers.get("content-type", "").startswith("text/html"):
            where = f"{self.lang} {self.who} POST {path} → {r.status_code}"
            self.found[where] = page_problems(r.text, self.lang)
        return r

    def download(self, path: str) -> None:
        r = self.client.get(path)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text[:500]}"
        check = pdf_problems if path.endswith("pdf") else xlsx_problems
        self.found[f"{self.lang} {self.who} {path}"] = check(r.content, self.lang)


def public_pages(reader: Reader, s: Seeded) -> None:
    reader.as_(None)
    number = s.certified["number"]
    for path in ("/", "/signup", "/login", "/verify", f"/verify/{number}"):
        reader.get(path)
    reader.get(f"/verify?number={number}")
    reader.get("/verify/AB35-0000-000000", expect=404)
    reader.post("/login", {"email": "nobody@x.cn", "password": "wrong-password"}, expect=401)
    reader.post("/signup", {"email": "x", "password": "short", "uscc": "bad"}, expect=422)
    reader.post(
        "/profile/check",
        {
            "uscc": "91350102MA00000152",
            "region": "350102",
            "industry": "machinery",
            "employees": "20",
            "annual_revenue_10k": "500",
        },
        expect=200,
        htmx=True,
    )


def enterprise_pages(reader: Reader, s: Seeded) -> None:
    reader.as_(OWNER)
    for path in ("/enterprise", "/enterprise/profile", "/hazards"):
        reader.get(path)
    for assessment in (s.certified["assessment"], s.unfinished):
        overview = reader.get(f"/assessments/{assessment}")
        for code in dict.fromkeys(ids(rf"/assessments/{assessment}/fill/([^\"]+)\"", overview)):
            html = reader.get(f"/assessments/{assessment}/fill/{code}")
        reader.get(f"/assessments/{assessment}/result")
        reader.download(f"/assessments/{assessment}/report/pdf")
        reader.download(f"/assessments/{assessment}/report/xlsx")
        plan = reader.get(f"/assessments/{assessment}/plan")
        reader.download(f"/assessments/{assessment}/plan/report/pdf")
        reader.download(f"/assessments/{assessment}/plan/report/xlsx")
    # the action plan refusing a row (too long) and a stale one (409, the saved values shown)
    hazard = ids(r'id="plan-([0-9a-f-]{36})"', plan)[0]
    row = f"/assessments/{assessment}/plan/{hazard}"
    reader.post(row, {"resources": "资" * 2001, "version": "1"}, expect=422)
    reader.post(row, {"resources": "资金", "owner": "张安全", "version": "0"}, expect=409)
    version = re.search(r'id="version" name="version" value="(\d+)"', html).group(1)
    item = re.search(r'name="s:([^"]+)" value="partial"', html).group(1)
    fill = f"/assessments/{s.unfinished}/fill/{code}"
    # a refused answer (partial without a deduction): the engine's message in the page's language
    reader.post(fill, {"version": version, f"s:{item}": "partial"}, expect=422, htmx=True)
    # a save that changes the answer (the note names the language: the seed is shared by both
    # runs, and a save that changes nothing keeps the version)
    changed = {f"s:{item}": "non_compliant", f"n:{item}": f"渲染检查 {reader.lang}"}
    reader.post(fill, {"version": version, **changed}, expect=200, htmx=True)
    # the same page again, now stale: the conflict with what the server holds
    reader.post(fill, {"version": version, f"s:{item}": "compliant"}, expect=409, htmx=True)
    application = s.certified["application"]
    reader.get(f"/applications/{application}")
    reader.download(f"/applications/{application}/report/pdf")
    reader.download(f"/applications/{application}/report/xlsx")
    reader.download(f"/certificates/{s.certified['number']}/pdf")
    reader.get(f"/assessments/{s.under_review}", expect=404)  # another's: the error page
    reader.get("/admin", expect=403)


def authority_pages(reader: Reader, s: Seeded) -> None:
    reader.as_(ADMIN)
    for path in ("/admin", "/admin?status=certified", "/admin/statistics", "/admin/overdue"):
        reader.get(path)
    reader.get("/hazards")
    for application in (s.accepted, s.under_review, s.certified["application"]):
        reader.get(f"/applications/{application}")
    reader.download(f"/applications/{s.under_review}/report/pdf")


def reviewer_pages(reader: Reader, s: Seeded) -> None:
    reader.as_(REVIEWER)
    reader.get("/review")
    html = reader.get(f"/applications/{s.under_review}")
    finding = re.search(r'id="finding-([0-9a-f-]+)"', html).group(1)
    reader.post(  # the photo list the page's script gets back after an upload
        f"/applications/{s.under_review}/findings/{finding}/photos",
        expect=200,
        htmx=True,
        files={"photo": ("IMG_0002.jpg", make_jpeg(), "image/jpeg")},
    )
    reader.download(f"/applications/{s.under_review}/report/pdf")
    first = reader.client.get(f"/review/{s.under_review}/score", follow_redirects=False)
    start_path = first.headers["location"]
    html = reader.get(start_path)
    for code in dict.fromkeys(ids(rf"/review/{s.under_review}/score/([^\"]+)\"", html)):
        html = reader.get(f"/review/{s.under_review}/score/{code}")
    item = re.search(r'name="s:([^"]+)" value="non_compliant"', html).group(1)
    reader.post(
        f"/review/{s.under_review}/score/{code}",
        {f"s:{item}": "non_compliant", f"n:{item}": "现场未见记录"},
        expect=200,
        htmx=True,
    )
    reader.get("/hazards")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_page_and_report_renders_cleanly(seeded, lang, monkeypatch):
    """The pages and reports of the journey show no internals, None, foreign labels or empty
    headings; the reports' HTML (behind each PDF) is checked as well as the PDF's text."""
    reader = Reader(seeded.client, lang)

    async def pdf_checked(context: dict[str, Any], *, mode: Any = None) -> bytes:
        html = render.render_html(context)
        where = f"{lang} {context['kind']} report HTML #{len(reader.found)}"
        reader.found[where] = page_problems(html, lang)
        return render.render_pdf(context)

    monkeypatch.setattr(render, "pdf_off_loop", pdf_checked)
    for browse in (public_pages, enterprise_pages, authority_pages, reviewer_pages):
        browse(reader, seeded)
    assert len(reader.found) > 60, sorted(reader.found)
    assert_renders_cleanly(reader.found)
