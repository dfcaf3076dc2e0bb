"""Reports (issue #5): the self-assessment report (自评报告), the review report (评审报告) and
the certificate (证书), as PDF (WeasyPrint) and XLSX (openpyxl), in Simplified Chinese or English.

Two steps, so that the browser UI and the API share them:

* **gathering** (``assessment_report``, ``application_report``, ``certificate_report``): a plain,
  picklable dict built from the database and the engine — the engine decides every score;
* **rendering** (``render_pdf``, ``render_xlsx``): from that dict only. A PDF costs ~1 s of CPU,
  so the service renders it in a separate process (``pdf_off_loop``) and the event loop stays
  free; see docs/reports.md for the measurements.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote
from uuid import UUID

import segno
from anbiao.api import services
from anbiao.api.db import (
    Application,
    Assessment,
    Assignment,
    Certificate,
    Enterprise,
    Event,
    Hazard,
    User,
)
from anbiao.api.ui.i18n import bilingual, name
from anbiao.core.compose import ComposedChecklist, ComposedElement
from anbiao.core.engine import Engine
from anbiao.core.models.profile import Profile
from anbiao.core.report import _STATUS
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

Lang = Literal["zh-CN", "en"]
Context = dict[str, Any]
TEMPLATES = Path(__file__).parent / "templates" / "reports"
QR_DARK = "#0a1f3c"  # the certificate's QR colour (dark navy; tests find the symbol by it)

LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "assessment_title": "安全生产标准化自评报告", "application_title": "安全生产标准化评审报告",
        "certificate_title": "安全生产标准化达标证书", "generated": "生成日期",
        "page_a": "第 ", "page_b": " 页 / 共 ", "page_c": " 页",
        "profile": "企业基本信息", "name": "企业名称", "uscc": "统一社会信用代码",
        "region": "行政区划", "industry": "行业", "size": "企业规模", "employees": "从业人员",
        "hazard_modules": "专项", "none": "无", "checklist": "适用清单", "pack": "清单",
        "version": "版本", "kind": "类型", "fingerprint": "清单指纹", "outdated": "（清单已更新）",
        "totals": "自评结果", "review_totals": "评审结果", "earned": "得分", "applicable": "应得分",
        "full_marks": "满分", "percentage": "得分率", "grade": "等级", "result": "结论",
        "passed": "达标", "failed": "未达标", "eligible": "申请评审",
        "eligible_yes": "可申请评审", "eligible_no": "暂不可申请评审", "why_not": "原因",
        "answered": "已作答", "elements": "各要素得分", "element": "要素", "vetoes": "否决项",
        "vetoes_none": "无否决项未通过", "items": "检查项得分表", "item": "检查项",
        "requirement": "考评内容", "status": "自评结论", "max_score": "标准分", "lost": "扣分",
        "deductions": "扣分原因", "deduction_ids": "扣分项编号", "note": "说明", "summary": "扣分点及原因说明汇总表",
        "summary_none": "无扣分", "reason": "扣分点", "points": "分", "times": "次",
        "total": "合计", "hazards": "隐患及整改情况", "hazards_none": "无隐患", "level": "级别",
        "source": "来源", "state": "整改状态", "owner": "责任人", "measures": "整改措施",
        "deadline": "整改期限", "evidence": "证据", "overdue": "已逾期", "description": "隐患描述",
        "application": "评审申请", "application_state": "申请状态", "cycle": "评审轮次",
        "submitted_on": "提交日期", "due_on": "当前期限", "reasons": "退回或不通过原因",
        "reviewers": "评审员", "employer": "所在单位", "conclusion": "评审结论",
        "not_concluded": "尚未作出结论", "comparison": "自评与评审对比", "self": "自评",
        "review": "评审", "delta": "差值", "not_reviewed": "尚无评审评分", "timeline": "办理记录",
        "date": "日期", "action": "事项", "actor": "经办人", "number": "证书编号",
        "issued_on": "发证日期", "valid_until": "有效期至", "certificate_status": "证书状态",
        "revoked_reason": "撤销原因", "verify": "扫码或访问以下网址查验证书真伪",
        "sheet_summary": "概况", "sheet_items": "检查项", "sheet_deductions": "扣分汇总",
        "sheet_hazards": "隐患", "sheet_comparison": "对比", "key": "项目", "value": "内容",
        "yes": "是", "no": "否", "unanswered": "未作答",
    },
    "en": {
        "assessment_title": "Work-safety standardisation self-assessment report",
        "application_title": "Work-safety standardisation review report",
        "certificate_title": "Work-safety standardisation certificate", "generated": "Generated",
        "page_a": "Page ", "page_b": " of ", "page_c": "",
        "profile": "Enterprise", "name": "Name", "uscc": "Unified social credit code",
        "region": "Region", "industry": "Industry", "size": "Size class", "employees": "Employees",
        "hazard_modules": "Hazard modules", "none": "none", "checklist": "Checklists",
        "pack": "Checklist", "version": "Version", "kind": "Kind", "fingerprint": "Fingerprint",
        "outdated": " (checklist since updated)", "totals": "Self-assessment result",
        "review_totals": "Review result", "earned": "Score", "applicable": "Applicable points",
        "full_marks": "Full marks", "percentage": "Percentage", "grade": "Grade",
        "result": "Result", "passed": "standard reached", "failed": "not reached",
        "eligible": "Review application", "eligible_yes": "may apply for review",
        "eligible_no": "may not apply yet", "why_not": "Why not", "answered": "Answered",
        "elements": "Score per element", "element": "Element", "vetoes": "Veto items failed",
        "vetoes_none": "no veto item failed", "items": "Item scores", "item": "Item",
        "requirement": "Requirement", "status": "Status", "max_score": "Max", "lost": "Lost",
        "deductions": "Deductions", "deduction_ids": "Deduction ids", "note": "Note", "summary": "Deductions and their reasons",
        "summary_none": "no deductions", "reason": "Deduction", "points": "pts",
        "times": "times", "total": "Total", "hazards": "Hazards and rectification",
        "hazards_none": "no hazards", "level": "Level", "source": "Source",
        "state": "Rectification", "owner": "Owner", "measures": "Measures",
        "deadline": "Deadline", "evidence": "Evidence", "overdue": "overdue",
        "description": "Description", "application": "Application",
        "application_state": "State", "cycle": "Review round", "submitted_on": "Submitted",
        "due_on": "Current deadline", "reasons": "Return or rejection reasons",
        "reviewers": "Reviewers", "employer": "Employer", "conclusion": "Conclusion",
        "not_concluded": "not concluded yet", "comparison": "Self-assessment and review",
        "self": "Self", "review": "Review", "delta": "Delta",
        "not_reviewed": "no review scores yet", "timeline": "Audit trail", "date": "Date",
        "action": "Action", "actor": "By", "number": "Certificate number",
        "issued_on": "Issued on", "valid_until": "Valid until",
        "certificate_status": "Status", "revoked_reason": "Reason for revocation",
        "verify": "Scan or open this address to verify the certificate",
        "sheet_summary": "Summary", "sheet_items": "Items", "sheet_deductions": "Deductions",
        "sheet_hazards": "Hazards", "sheet_comparison": "Comparison", "key": "Field",
        "value": "Value", "yes": "yes", "no": "no", "unanswered": "unanswered",
    },
}
def labels(lang: str) -> dict[str, str]:
    """The report's labels in ``lang`` (zh-CN or en)."""
    return LABELS["en" if lang == "en" else "zh-CN"]


def name_of(code: str | None, lang: str) -> str:
    """A code's label (the pages' names, :data:`anbiao.api.ui.i18n.NAMES`)."""
    return "" if code is None else name(lang, code)


# --- gathering ------------------------------------------------------------------------------------


async def assessment_report(
    session: AsyncSession, engine: Engine, assessment: Assessment, *, lang: Lang = "zh-CN",
    today: date,
) -> Context:
    """Context of the self-assessment report (自评报告) of ``assessment``, scored by the engine;
    the hazards are the enterprise's self-assessment hazards (Hazard rows, source ``self``)."""
    scored = services.score_answers(engine, assessment.profile, assessment.answers)
    hazards = await _hazards(session, scored.composed, lang, today, Hazard.enterprise_id ==
                             assessment.enterprise_id, Hazard.source == "self")
    return self_assessment_context(engine, scored, assessment.fingerprint, hazards, lang=lang,
                                   today=today)


def self_assessment_context(
    engine: Engine, scored: services.Scored, fingerprint: str, hazards: list[Context], *,
    lang: Lang = "zh-CN", today: date,
) -> Context:
    """The self-assessment report's context from a scoring (no database)."""
    return {
        **_head("assessment", lang, today),
        "enterprise": _enterprise(engine, scored.profile, lang),
        "checklist": _checklist(engine, scored.composed, fingerprint, lang),
        "result": result_section(scored, lang),
        "hazards": hazards,
    }


async def application_report(
    session: AsyncSession, engine: Engine, application: Application, *, lang: Lang = "zh-CN",
    today: date,
) -> Context:
    """Context of the review report (评审报告): the frozen self-assessment, the reviewers' result
    of the current cycle and the item-by-item comparison, the conclusion and the audit dates."""
    compared = await services.compare(session, engine, application)
    composed = compared.own.composed
    hazards = await _hazards(session, composed, lang, today,
                             Hazard.application_id == application.id)
    reviewers = await session.execute(
        select(User.name, User.employer).join(Assignment, Assignment.reviewer_id == User.id)
        .where(Assignment.application_id == application.id,
               Assignment.cycle == application.cycle).order_by(User.name))
    return {
        **_head("application", lang, today),
        "enterprise": _enterprise(engine, compared.own.profile, lang),
        "checklist": _checklist(engine, composed, application.fingerprint, lang),
        "result": result_section(compared.own, lang),
        "review": result_section(compared.review, lang) if compared.review else None,
        "comparison": _comparison(compared, lang),
        "application": {
            "id": str(application.id), "state": application.state,
            "state_label": name_of(application.state, lang), "cycle": application.cycle,
            "submitted_on": application.submitted_on, "due_on": application.due_on,
            "reasons": application.reasons,
        },
        "conclusion": _conclusion(application, composed, lang),
        "reviewers": [{"name": n, "employer": e} for n, e in reviewers],
        "timeline": await _timeline(session, application.id, lang),
        "hazards": hazards,
    }


async def certificate_report(
    session: AsyncSession, certificate: Certificate, *, base_url: str, lang: Lang = "zh-CN",
    today: date,
) -> Context:
    """Context of the certificate (证书), with a QR code of its public verification page."""
    enterprise = await session.get_one(Enterprise, certificate.enterprise_id)
    return certificate_context(certificate, enterprise.uscc, base_url=base_url, lang=lang,
                               today=today)


def certificate_context(
    certificate: Certificate, uscc: str, *, base_url: str, lang: Lang = "zh-CN", today: date
) -> Context:
    """The certificate's context (no database); expired when ``today`` is past its validity."""
    valid = certificate.status == "valid" and certificate.valid_until >= today
    status = "expired" if certificate.status == "valid" and not valid else certificate.status
    url = verification_url(base_url, certificate.number)
    return {
        **_head("certificate", lang, today),
        "certificate": {
            "number": certificate.number, "enterprise_name": certificate.enterprise_name,
            "uscc": uscc, "grade": certificate.grade,
            "issued_on": certificate.issued_on, "valid_until": certificate.valid_until,
            "status": status, "status_label": name_of(status, lang), "valid": valid,
            "revoked_reason": certificate.revoked_reason or "",
        },
        "verify_url": url,
        "qr_svg": qr_svg(url),
    }


def verification_url(base_url: str, number: str) -> str:
    """The public verification page of a certificate: ``{base_url}/verify/{number}``."""
    return f"{base_url.rstrip('/')}/verify/{quote(number, safe='')}"


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (error correction M, 4-module quiet zone)."""
    return segno.make(url, error="m", micro=False).svg_inline(
        scale=1, unit="mm", dark=QR_DARK, light="#ffffff", border=4, svgclass="qr")


def _head(kind: str, lang: str, today: date) -> Context:
    t = labels(lang)
    return {"kind": kind, "lang": "en" if lang == "en" else "zh-CN", "t": t,
            "title": t[f"{kind}_title"], "generated_on": today}


def _enterprise(engine: Engine, profile: Profile, lang: str) -> Context:
    catalog = engine.catalog
    industry = catalog.industries.get(profile.industry)
    modules = [catalog.hazards[h].title.get(lang) if h in catalog.hazards else h
               for h in sorted(profile.hazards)]
    size = profile.size_class().value
    return {"name": profile.name, "uscc": profile.uscc, "region": profile.region,
            "industry": industry.title.get(lang) if industry else profile.industry,
            "size_class": size, "size_label": name_of(size, lang),
            "employees": profile.employees, "hazard_modules": modules}


def _checklist(engine: Engine, composed: ComposedChecklist, fingerprint: str, lang: str) -> Context:
    packs = engine.catalog.packs
    return {
        "fingerprint": fingerprint, "current": composed.fingerprint == fingerprint,
        "packs": [{"id": p.id, "version": p.version, "kind": p.kind,
                   "kind_label": name_of(p.kind, lang),
                   "title": packs[p.id].pack.title.get(lang) if p.id in packs else p.id}
                  for p in composed.packs],
    }


def result_section(scored: services.Scored, lang: str) -> Context:
    """Totals, elements, vetoes, the item table and the deduction summary of one scoring."""
    result, composed = scored.result, scored.composed
    titles = _titles(composed.elements, lang, {})
    items, summary = [], []
    for s in result.items:
        item = composed.items[s.item_id].item
        reasons = {d.id: d.reason.get(lang) for d in item.deductions}
        status = s.status.value if s.status else None
        lost = s.max_score - s.earned if s.applicable else 0
        deductions = [{"id": d.id, "reason": reasons.get(d.id, d.id), "times": d.times,
                       "points": d.points} for d in s.deductions]
        row = {"id": s.item_id, "element": s.element, "element_title": titles.get(s.element, ""),
               "requirement": item.requirement.get(lang), "status": status,
               "status_label": _STATUS["en" if lang == "en" else "zh-CN"][status],
               "max_score": s.max_score, "earned": s.earned, "lost": lost,
               "deductions": deductions, "note": s.note or "", "veto": item.veto is not None}
        items.append(row)
        if lost:
            summary.append({**row, "reasons": deductions or [
                {"id": "", "reason": row["status_label"], "times": 1, "points": lost}]})
    band = result.band.title.get(lang) if result.band else ""
    t = labels(lang)
    return {
        "totals": {
            "earned": result.earned, "applicable": result.applicable,
            "full_marks": result.full_marks, "percentage": str(result.percentage),
            "band": result.band.id if result.band else None, "grade": band,
            "passed": result.passed, "result_label": band if result.passed else t["failed"],
            "eligible": result.eligible, "complete": result.complete,
            "answered": result.answered, "total_items": result.total_items,
            "ineligible": [bilingual(i.message, lang) for i in result.ineligible],
        },
        "elements": [{"code": e.code, "title": titles.get(e.code, ""), "depth": e.code.count("."),
                      "earned": e.earned, "applicable": e.applicable,
                      "percentage": str(e.percentage)} for e in result.elements],
        "vetoes": [{"id": v, "requirement": composed.items[v].item.requirement.get(lang)}
                   for v in result.vetoes],
        "items": items,
        "summary": summary,
        "lost_total": sum(r["lost"] for r in summary),
    }


def _titles(elements: Iterable[ComposedElement], lang: str, out: dict[str, str]) -> dict[str, str]:
    for element in elements:
        out[element.code] = element.title.get(lang)
        _titles(element.elements, lang, out)
    return out


def _comparison(compared: services.Comparison, lang: str) -> Context:
    statuses = _STATUS["en" if lang == "en" else "zh-CN"]
    composed = compared.own.composed
    rows = [{**d, "requirement": composed.items[d["item_id"]].item.requirement.get(lang),
             "self_status": d["self_status"] and str(d["self_status"]),
             "review_status": d["review_status"] and str(d["review_status"]),
             "self_label": statuses[d["self_status"]],
             "review_label": statuses[d["review_status"]] if compared.review else ""}
            for d in compared.items]
    return {**compared.totals(), "items": rows,
            "changed": [r for r in rows if r["delta"] or (compared.review and
                                                          r["self_status"] != r["review_status"])]}


def _conclusion(application: Application, composed: ComposedChecklist, lang: str) -> Context:
    t = labels(lang)
    result = application.review_result
    if not result:
        return {"concluded": False, "text": t["not_concluded"]}
    band = next((b for b in composed.scoring.bands if b.id == result.get("band")), None)
    grade = band.title.get(lang) if band else ""
    return {"concluded": True, "passed": bool(result.get("passed")), "grade": grade,
            "percentage": result.get("percentage"), "earned": result.get("earned"),
            "applicable": result.get("applicable"),
            "text": grade if result.get("passed") and grade else t["failed"]}


async def _timeline(session: AsyncSession, application_id: UUID, lang: str) -> list[Context]:
    rows = await session.execute(
        select(Event.action, Event.created_at, User.name)
        .outerjoin(User, User.id == Event.actor_id)
        .where(Event.application_id == application_id).order_by(Event.id))
    return [{"action": a, "label": name_of(a, lang), "date": at.date(), "actor": who or ""}
            for a, at, who in rows]


async def _hazards(
    session: AsyncSession, composed: ComposedChecklist, lang: str, today: date, *where: Any
) -> list[Context]:
    rows = await session.scalars(select(Hazard).where(*where).order_by(Hazard.item_id, Hazard.id))
    out = []
    for h in rows:
        item = composed.items.get(h.item_id)
        out.append({
            "item_id": h.item_id,
            "requirement": item.item.requirement.get(lang) if item else "",
            "description": h.description, "level": h.level, "level_label": name_of(h.level, lang),
            "source": h.source, "source_label": name_of(h.source, lang), "state": h.state,
            "state_label": name_of(h.state, lang), "owner": h.owner, "measures": h.measures,
            "deadline": h.deadline, "evidence": len(h.evidence),
            "overdue": h.state != "closed" and h.deadline is not None and h.deadline < today,
        })
    return out


# --- rendering ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _jinja() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["d"] = lambda v: "" if v is None else str(v)
    return env


def render_html(context: Context) -> str:
    """The report's HTML (the template named after ``context["kind"]``)."""
    return _jinja().get_template(f"{context['kind']}.html").render(**context)


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher for reports: nothing is ever fetched."""
    raise ValueError(f"reports load no external resources: {url[:80]}")


def render_pdf(context: Context, url_fetcher: Callable[..., Any] = refuse_fetch) -> bytes:
    """The report as an A4 PDF with embedded, subset CJK fonts (CPU-bound: ~1 s)."""
    from weasyprint import HTML  # imported on first use: it is heavy

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per page
    return HTML(string=render_html(context), url_fetcher=url_fetcher).write_pdf()


_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _warm_up() -> None:
    """Worker initialiser: import WeasyPrint once, before the first report."""
    import weasyprint  # noqa: F401


def _pool() -> ProcessPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            # spawn, not fork: the server process runs threads (fork could copy a held lock)
            _POOL = ProcessPoolExecutor(max_workers=1, initializer=_warm_up,
                                        mp_context=multiprocessing.get_context("spawn"))
        return _POOL


def shutdown_report_pool() -> None:
    """Stop the PDF worker process (an ``on_shutdown`` hook); the next report starts a new one."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


PdfMode = Literal["process", "thread"]
PDF_MODE: PdfMode = "process"  # measured in benchmarks/bench_reports.py: see docs/reports.md


async def pdf_off_loop(context: Context, *, mode: PdfMode | None = None) -> bytes:
    """Render a PDF without blocking the event loop: in the worker process (default) or in a
    thread (which holds the GIL most of the time, so other requests slow down)."""
    if (mode or PDF_MODE) == "thread":
        return await asyncio.to_thread(render_pdf, context)
    try:
        return await asyncio.wrap_future(_pool().submit(render_pdf, context))
    except BrokenProcessPool:  # the worker died (killed, out of memory): start a new one, once
        shutdown_report_pool()
        return await asyncio.wrap_future(_pool().submit(render_pdf, context))


async def xlsx_off_loop(context: Context) -> bytes:
    """Render a workbook in a thread (tens of milliseconds)."""
    return await asyncio.to_thread(render_xlsx, context)


def report_section(context: Context) -> Context:
    """The scoring a report's item tables show: the review's in a review report once reviewers
    scored, else the self-assessment's."""
    return context.get("review") or context["result"]


def render_xlsx(context: Context) -> bytes:
    """The report as a workbook: summary, items (with deductions and reasons), deduction summary,
    hazards, and for a review report the self-vs-review comparison."""
    from openpyxl import Workbook

    t, book = context["t"], Workbook()
    summary = book.active
    summary.title = t["sheet_summary"]
    _rows(summary, [t["key"], t["value"]], _summary_rows(context), widths=(28, 80))
    if context["kind"] == "certificate":
        return _save(book)
    section = report_section(context)
    _rows(book.create_sheet(t["sheet_items"]),
          [t["item"], t["element"], t["requirement"], t["status"], t["max_score"], t["earned"],
           t["lost"], t["deductions"], t["deduction_ids"], t["note"], t["vetoes"]],
          [[r["id"], f"{r['element']} {r['element_title']}", r["requirement"], r["status_label"],
            r["max_score"], r["earned"], r["lost"], _reasons(r["deductions"], t),
            ", ".join(d["id"] for d in r["deductions"]), r["note"], t["yes"] if r["veto"] else ""]
           for r in section["items"]],
          widths=(22, 24, 60, 10, 8, 8, 8, 50, 24, 40, 8))
    _rows(book.create_sheet(t["sheet_deductions"]),
          [t["item"], t["requirement"], t["reason"], t["times"], t["lost"], t["note"]],
          [[r["id"], r["requirement"], d["reason"], d["times"], d["points"], r["note"]]
           for r in section["summary"] for d in r["reasons"]],
          widths=(22, 60, 50, 8, 8, 40))
    _rows(book.create_sheet(t["sheet_hazards"]),
          [t["item"], t["requirement"], t["description"], t["level"], t["source"], t["state"],
           t["owner"], t["measures"], t["deadline"], t["evidence"], t["overdue"]],
          [[h["item_id"], h["requirement"], h["description"], h["level_label"],
            h["source_label"], h["state_label"], h["owner"], h["measures"], h["deadline"],
            h["evidence"], t["yes"] if h["overdue"] else ""] for h in context["hazards"]],
          widths=(22, 50, 40, 10, 10, 10, 12, 40, 12, 6, 8))
    if context["kind"] == "application":
        c = context["comparison"]
        _rows(book.create_sheet(t["sheet_comparison"]),
              [t["item"], t["requirement"], f"{t['self']} {t['status']}",
               f"{t['self']} {t['earned']}", f"{t['review']} {t['status']}",
               f"{t['review']} {t['earned']}", t["delta"]],
              [[r["item_id"], r["requirement"], r["self_label"], r["self_earned"],
                r["review_label"], r["review_earned"], r["delta"]] for r in c["items"]],
              widths=(22, 60, 12, 10, 12, 10, 8))
    return _save(book)


def _reasons(deductions: list[Context], t: dict[str, str]) -> str:
    return "\n".join(f"{d['reason']}" + (f" ×{d['times']}" if d["times"] > 1 else "")
                     + f"（−{d['points']}{t['points']}）" for d in deductions)


def _summary_rows(context: Context) -> list[list[Any]]:
    t = context["t"]
    rows: list[list[Any]] = [[t[f"{context['kind']}_title"], ""],
                             [t["generated"], context["generated_on"]]]
    if context["kind"] == "certificate":
        c = context["certificate"]
        return rows + [[t["number"], c["number"]], [t["name"], c["enterprise_name"]],
                       [t["uscc"], c["uscc"]], [t["grade"], c["grade"]],
                       [t["issued_on"], c["issued_on"]], [t["valid_until"], c["valid_until"]],
                       [t["certificate_status"], c["status_label"]],
                       [t["verify"], context["verify_url"]]]
    e, checklist = context["enterprise"], context["checklist"]
    rows += [[t["name"], e["name"]], [t["uscc"], e["uscc"]], [t["region"], e["region"]],
             [t["industry"], e["industry"]], [t["size"], e["size_label"]],
             [t["employees"], e["employees"]],
             [t["hazard_modules"], "、".join(e["hazard_modules"]) or t["none"]],
             [t["checklist"], "; ".join(f"{p['title']} ({p['id']} {p['version']})"
                                        for p in checklist["packs"])],
             [t["fingerprint"], checklist["fingerprint"]
              + ("" if checklist["current"] else t["outdated"])]]
    for key, section in (("totals", context["result"]), ("review_totals", context.get("review"))):
        if section is None:
            continue
        s = section["totals"]
        rows += [[t[key], ""], [t["earned"], s["earned"]], [t["applicable"], s["applicable"]],
                 [t["percentage"], f"{s['percentage']}%"], [t["result"], s["result_label"]],
                 [t["vetoes"], ", ".join(v["id"] for v in section["vetoes"]) or t["none"]],
                 [t["eligible"], t["eligible_yes"] if s["eligible"] else t["eligible_no"]]]
        rows += [[t["why_not"], reason] for reason in s["ineligible"]]
    if context["kind"] == "application":
        a = context["application"]
        rows += [[t["application_state"], a["state_label"]], [t["cycle"], a["cycle"]],
                 [t["submitted_on"], a["submitted_on"]], [t["due_on"], a["due_on"]],
                 [t["conclusion"], context["conclusion"]["text"]],
                 [t["reviewers"], "、".join(r["name"] for r in context["reviewers"])]]
        rows += [[f"{ev['date']} {ev['label']}", ev["actor"]] for ev in context["timeline"]]
    return rows


def _rows(sheet: Any, header: list[str], rows: Iterable[list[Any]], widths: tuple[int, ...]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _save(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
