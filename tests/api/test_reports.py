"""Report downloads (issue #5) through the API, on SQLite and PostgreSQL: the PDF holds the
enterprise and its score as extractable Chinese text with embedded fonts, the workbook matches the
engine's result item by item, the certificate carries its number and verification address, and
a foreign user gets 404."""

from __future__ import annotations

import io
import re
import subprocess
from urllib.parse import quote, unquote

from openpyxl import load_workbook
from support_api import ADMIN, FUZHOU, OWNER, filled, to_certificate
from support_ui import pdf_text

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pdf_fonts(content: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]


def download(api, path: str, as_: str, media_type: str, **params) -> bytes:
    r = api.client.get(path, params=params, headers=api.login(as_))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == media_type
    extension = "pdf" if media_type == PDF else "xlsx"
    disposition = r.headers["content-disposition"]
    ascii_name = re.fullmatch(
        r'attachment; filename="([^"]+)"; filename\*=UTF-8\'\'(\S+)', disposition
    )
    assert ascii_name, disposition
    assert ascii_name[1].isascii() and ascii_name[1].endswith(f".{extension}")
    assert unquote(ascii_name[2]).endswith(f".{extension}")
    return r.content


def test_self_assessment_pdf_has_chinese_text_score_and_embedded_fonts(api, tmp_path):
    case = filled(api)
    path = f"/api/v1/assessments/{case['assessment']}/report"
    r = api.client.get(path, headers=api.login(OWNER))  # PDF and Chinese are the defaults
    assert r.status_code == 200 and r.headers["content-type"] == PDF
    utf8_name = r.headers["content-disposition"].split("filename*=UTF-8''")[1]
    assert unquote(utf8_name).startswith(f"安全生产标准化自评报告-{FUZHOU['name']}-")
    assert quote("自评报告") in utf8_name

    text = pdf_text(r.content)
    result = case["result"]
    assert FUZHOU["name"] in text and FUZHOU["uscc"] in text
    assert "安全生产标准化自评报告" in text and "扣分点及原因说明汇总表" in text
    assert f"{result['earned']} / {result['applicable']}" in text
    assert f"{result['percentage']}%" in text
    assert "培训记录缺两人" in text and case["partial"]["deductions"][0]["reason"][:8] in text
    assert "待整改" in text  # the non-compliant item's hazard, from the Hazard rows
    assert re.search(r"第 1 页 / 共 \d+ 页", text)

    fonts = pdf_fonts(r.content, tmp_path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column
    assert any("Noto-Sans-CJK" in row[0] for row in fonts), fonts


def test_self_assessment_xlsx_matches_the_engine_item_by_item(api):
    case = filled(api)
    content = download(
        api, f"/api/v1/assessments/{case['assessment']}/report", OWNER, XLSX, format="xlsx"
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["概况", "检查项", "扣分汇总", "隐患", "整改计划"]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["企业名称"] == FUZHOU["name"] and summary["统一社会信用代码"] == FUZHOU["uscc"]
    assert summary["得分率"] == f"{case['result']['percentage']}%"

    sheet = book["检查项"]
    header = [c.value for c in sheet[1]]
    assert header[:8] == [
        "检查项",
        "要素",
        "考评内容",
        "自评结论",
        "标准分",
        "得分",
        "扣分",
        "扣分原因",
    ]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert list(rows) == [i["id"] for i in case["result"]["items"]]  # one row per composed item
    assert set(rows) == set(case["items"])
    for item in case["result"]["items"]:
        row = rows[item["id"]]
        assert (row["标准分"], row["得分"]) == (item["max_score"], item["earned"])
        reasons = {d["id"]: d["reason"] for d in case["items"][item["id"]]["deductions"]}
        for d in item["deductions"]:
            assert reasons[d["id"]] in row["扣分原因"]
            assert f"−{d['points']}分" in row["扣分原因"]
        assert (row["扣分项编号"] or "") == ", ".join(d["id"] for d in item["deductions"])
    partial, failing = rows[case["partial"]["id"]], rows[case["failing"]["id"]]
    assert partial["自评结论"] == "部分符合" and partial["说明"] == "培训记录缺两人"
    assert failing["自评结论"] == "不符合" and failing["得分"] == 0

    lost = [r for r in book["扣分汇总"].iter_rows(min_row=2, values_only=True)]
    assert {r[0] for r in lost} == {case["partial"]["id"], case["failing"]["id"]}
    result = case["result"]
    assert sum(rows[i]["扣分"] for i in rows) == result["applicable"] - result["earned"]

    hazards = api.call("GET", "/api/v1/hazards", OWNER)["items"]
    sheet = list(book["隐患"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in sheet) == sorted(h["item_id"] for h in hazards)
    by_item = {r[0]: r for r in sheet}
    assert {case["partial"]["id"], case["failing"]["id"]} <= set(by_item)  # failed items
    assert by_item[case["failing"]["id"]][5] == "待整改"
    assert by_item[case["failing"]["id"]][2] == "未建立台账"  # the hazard's description


def test_english_report_has_english_labels(api):
    case = filled(api)
    path = f"/api/v1/assessments/{case['assessment']}/report"
    book = load_workbook(io.BytesIO(download(api, path, OWNER, XLSX, format="xlsx", lang="en")))
    assert book.sheetnames == ["Summary", "Items", "Deductions", "Hazards", "Action plan"]
    assert [c.value for c in book["Items"][1]][:4] == ["Item", "Element", "Requirement", "Status"]
    statuses = {r[3] for r in book["Items"].iter_rows(min_row=2, values_only=True)}
    assert {"compliant", "partial", "non-compliant"} <= statuses
    text = pdf_text(download(api, path, OWNER, PDF, lang="en"))
    assert "Work-safety standardisation self-assessment report" in text
    assert "Deductions and their reasons" in text and "Page 1 of" in text
    assert "自评报告" not in text and FUZHOU["name"] in text  # names stay as registered
    api.call("GET", path, OWNER, expect=400, params={"lang": "fr"})
    api.call("GET", path, OWNER, expect=400, params={"format": "docx"})


def test_review_report_and_certificate(api, clock):
    case = to_certificate(api, clock)
    path = f"/api/v1/applications/{case['application']}/report"
    book = load_workbook(io.BytesIO(download(api, path, "r1@experts.cn", XLSX, format="xlsx")))
    assert book.sheetnames == ["概况", "检查项", "扣分汇总", "隐患", "对比", "评审发现"]
    compared = {r[0]: r for r in book["对比"].iter_rows(min_row=2, values_only=True)}
    expected = {i["item_id"]: i for i in case["comparison"]["items"]}
    assert set(compared) == set(expected)
    for item_id, row in compared.items():
        assert (row[3], row[5], row[6]) == (
            expected[item_id]["self_earned"],
            expected[item_id]["review_earned"],
            expected[item_id]["delta"],
        )
    assert compared[case["downgraded"]][4] == "不符合" and compared[case["downgraded"]][6] < 0
    items = {r[0]: r for r in book["检查项"].iter_rows(min_row=2, values_only=True)}
    assert items[case["downgraded"]][5] == 0  # the item table shows the review's scores
    summary = {r[0]: r[1] for r in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["申请状态"] == "已发证" and summary["评审结论"] == "达标"
    assert set(summary["评审员"].split("、")) == {"r1", "r2"}

    text = pdf_text(download(api, path, OWNER, PDF))
    assert "安全生产标准化评审报告" in text and FUZHOU["name"] in text
    assert "自评与评审对比" in text and case["downgraded"] in text
    assert f"{case['comparison']['review_percentage']}%" in text
    for event in ("提交申请", "受理", "指派评审员", "评审结论：通过", "发证"):
        assert event in text

    number = case["number"]
    certificate = download(api, f"/api/v1/certificates/{number}/pdf", OWNER, PDF)
    text = pdf_text(certificate)
    assert number in text and FUZHOU["name"] in text and "有效" in text
    settings = api.client.app.state.settings
    base = getattr(settings, "public_url", "") or "http://testserver.local"
    assert f"{base.rstrip('/')}/verify/{number}" in text.replace("\n", "")
    download(api, f"/api/v1/certificates/{number}/pdf", ADMIN, PDF)
    api.call("GET", f"/api/v1/certificates/{number}/pdf", "r1@experts.cn", expect=403)
    api.call("GET", f"/api/v1/certificates/{number}/pdf", expect=401)  # the public: JSON only
    assert api.call("GET", f"/api/v1/certificates/{number}")["valid"] is True


def test_foreign_users_get_404(api, clock):
    from anbiao.api.kernel.models import Role

    case = to_certificate(api, clock)
    api.user("admin@xm.gov", Role.admin, region_prefix="3502")
    api.signup("other@xm.cn", region="350203", uscc="92350203MA0000023D", name="厦门某厂")
    for user in ("other@xm.cn", "admin@xm.gov", "r3@experts.cn"):
        for path in (
            f"/api/v1/assessments/{case['assessment']}/report",
            f"/api/v1/applications/{case['application']}/report",
            f"/api/v1/certificates/{case['number']}/pdf",
        ):
            if user == "r3@experts.cn" and "/applications/" not in path:
                continue  # reviewers: 403 by role on these
            r = api.client.get(path, params={"format": "xlsx"}, headers=api.login(user))
            assert r.status_code == 404, (user, path, r.status_code)
            assert FUZHOU["name"] not in r.text and case["number"] not in r.text


def test_rendering_holds_no_database_lock(api, monkeypatch):
    """While a PDF renders, other requests can write (SQLite: the read transaction has ended)."""
    from anbiao.api.kernel.models import Event
    from anbiao.api.kernel.sqlite import READ_ONLY
    from anbiao.api.reports import render as reports

    case = filled(api)
    written = []

    async def render_while_writing(context, *, mode=None):
        writing = READ_ONLY.set(False)  # as another request's write: not in this GET's context
        try:
            async with api.client.app.state.db_config.get_session() as session:
                session.add(Event(action="test.write_during_render"))
                await session.commit()
        finally:
            READ_ONLY.reset(writing)
        written.append(context["enterprise"]["name"])
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(reports, "pdf_off_loop", render_while_writing)
    r = api.client.get(f"/api/v1/assessments/{case['assessment']}/report", headers=api.login(OWNER))
    assert r.status_code == 200 and r.content == b"%PDF-1.7 stand-in"
    assert written == [FUZHOU["name"]]
