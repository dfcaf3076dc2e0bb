"""Report rendering without a database: HTML and PDF shape (A4, CJK fonts, repeated table
headers, nothing fetched), the certificate's QR code as drawn in the PDF, and the PDF worker."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import date

import pytest
import segno
from PIL import Image, ImageChops
from support import make_profile

from anbiao.api.assessments.service import score_answers
from anbiao.api.kernel.models import Certificate
from anbiao.api.reports.context import QR_DARK, certificate_context, self_assessment_context
from anbiao.api.reports.fetcher import refuse_fetch
from anbiao.api.reports.render import (
    pdf_off_loop,
    render_html,
    render_pdf,
    shutdown_report_pool,
)
from anbiao.core.engine import Engine

TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_plugins(load_entrypoints=False)


def self_context(engine: Engine, lang: str = "zh-CN") -> dict:
    profile = make_profile(region="350102")
    composed = engine.compose(profile)
    answers = {i: {"status": "compliant"} for i in composed.items}
    partial = next(
        ci.item for ci in composed.items.values() if ci.item.deductions and ci.item.veto is None
    )
    answers[partial.id] = {"status": "partial", "deductions": [partial.deductions[0].id]}
    scored = score_answers(engine, profile.model_dump(mode="json"), answers)
    hazards = [
        {
            "item_id": partial.id,
            "requirement": "",
            "description": "记录不全",
            "level": "general",
            "level_label": "一般隐患",
            "source": "self",
            "source_label": "自评",
            "state": "open",
            "state_label": "待整改",
            "owner": "",
            "measures": "",
            "deadline": None,
            "evidence": 0,
            "overdue": False,
        }
    ]
    return self_assessment_context(
        engine, scored, composed.fingerprint, hazards, lang=lang, today=TODAY
    )


def certificate(**changes) -> Certificate:
    fields = {
        "number": "AB35-2026-000001",
        "enterprise_name": "福州示例机械厂",
        "grade": "达标",
        "issued_on": TODAY,
        "valid_until": date(2029, 3, 2),
        "status": "valid",
        "revoked_reason": "",
    }
    return Certificate(**{**fields, **changes})


def test_html_is_a4_chinese_with_cjk_fonts_page_numbers_and_repeated_headers(engine):
    html = render_html(self_context(engine))
    assert html.startswith('<!doctype html>\n<html lang="zh-Hans">')
    assert 'font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif' in html
    assert "size: A4" in html and "counter(page)" in html and "counter(pages)" in html
    assert "thead { display: table-header-group; }" in html and html.count("<thead>") >= 5
    for external in ("http:", "https:", "url(", "@import", "<link", "<img", "<script"):
        assert external not in html
    english = render_html(self_context(engine, "en"))
    assert '<html lang="en">' in english and "Score per element" in english


def test_pdf_fetches_nothing(engine):
    fetched: list[str] = []

    def recorder(url, *args, **kwargs):
        fetched.append(url)
        return refuse_fetch(url)

    for context in (
        self_context(engine),
        certificate_context(
            certificate(), "91350102MA00000152", base_url="https://x.example", today=TODAY
        ),
    ):
        assert render_pdf(context, url_fetcher=recorder).startswith(b"%PDF-")
    assert fetched == []


def qr_modules(pdf: bytes, tmp_path, size: int) -> list[list[bool]]:
    """Read the QR symbol back from the rendered page: the modules drawn in the QR colour."""
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-aa",
            "no",
            "-aaVector",
            "no",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "c.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    page = Image.open(tmp_path / "page.png").convert("RGB")
    colour = Image.new("RGB", page.size, QR_DARK)
    mask = ImageChops.difference(page, colour).convert("L").point(lambda v: 255 if v < 4 else 0)
    left, top, right, bottom = mask.getbbox()
    step_x, step_y = (right - left) / size, (bottom - top) / size
    return [
        [
            mask.getpixel((int(left + (c + 0.5) * step_x), int(top + (r + 0.5) * step_y))) > 0
            for c in range(size)
        ]
        for r in range(size)
    ]


def test_certificate_pdf_draws_the_qr_code_of_the_verification_url(engine, tmp_path):
    context = certificate_context(
        certificate(), "91350102MA00000152", base_url="https://anbiao.example.gov.cn/", today=TODAY
    )
    url = "https://anbiao.example.gov.cn/verify/AB35-2026-000001"
    assert context["verify_url"] == url
    expected = segno.make(url, error="m", micro=False)
    symbol = [[bool(v) for v in row] for row in expected.matrix]
    pdf = render_pdf(context)
    assert qr_modules(pdf, tmp_path, len(symbol)) == symbol


def test_certificate_states(engine):
    expired = certificate_context(certificate(), "u", base_url="http://h", today=date(2029, 3, 3))
    assert expired["certificate"]["status"] == "expired" and not expired["certificate"]["valid"]
    revoked = certificate_context(
        certificate(status="revoked", revoked_reason="瞒报事故"),
        "u",
        base_url="http://h",
        lang="en",
        today=TODAY,
    )
    assert revoked["certificate"]["status_label"] == "revoked"
    html = render_html(revoked)
    assert "瞒报事故" in html and "Work-safety standardisation certificate" in html


def test_deduction_summary_adds_up_to_the_points_lost(engine):
    result = self_context(engine)["result"]
    lost = result["totals"]["applicable"] - result["totals"]["earned"]
    assert lost > 0 and result["lost_total"] == lost
    assert [r["id"] for r in result["summary"]] == [i["id"] for i in result["items"] if i["lost"]]


@pytest.mark.parametrize("mode", ["process", "thread"])
def test_pdf_renders_off_the_event_loop(engine, mode):
    context = self_context(engine)
    try:
        pdf = asyncio.run(pdf_off_loop(context, mode=mode))
    finally:
        shutdown_report_pool()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
