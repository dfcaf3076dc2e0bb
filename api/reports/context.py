"""What a report shows: the context of the self-assessment, review and certificate
reports, in the report's language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Literal
from urllib.parse import quote
from uuid import UUID

import segno
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.applications.review import Comparison, compare
from anbiao.api.assessments.service import Scored, score_answers
from anbiao.api.kernel import i18n
from anbiao.api.kernel.i18n import bilingual, name
from anbiao.api.kernel.models import (
    Application,
    Assessment,
    Assignment,
    Certificate,
    Enterprise,
    Event,
    Hazard,
    User,
)
from anbiao.core.compose import ComposedChecklist, ComposedElement
from anbiao.core.engine import Engine
from anbiao.core.models.profile import Profile
from anbiao.core.report import _STATUS

Lang = Literal["zh-CN", "en"]


Context = dict[str, Any]


QR_DARK = "#0a1f3c"  # the certificate's QR colour (dark navy; tests find the symbol by it)


LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "assessment_title": "安全生产标准化自评报告",
        "application_title": "安全生产标准化评审报告",
        "certificate_title": "安全生产标准化达标证书",
        "generated": "生成日期",
        "page_a": "第 ",
        "page_b": " 页 / 共 ",
        "page_c": " 页",
        "profile": "企业基本信息",
        "name": "企业名称",
        "uscc": "统一社会信用代码",
        "region": "行政区划",
        "industry": "行业",
        "size": "企业规模",
        "employees": "从业人员",
        "hazard_modules": "专项",
        "none": "无",
        "checklist": "适用清单",
        "pack": "清单",
        "version": "版本",
        "kind": "类型",
        "fingerprint": "清单指纹",
        "outdated": "（清单已更新）",
        "totals": "自评结果",
        "review_totals": "评审结果",
        "earned": "得分",
        "applicable": "应得分",
        "full_marks": "满分",
        "percentage": "得分率",
        "grade": "等级",
        "result": "结论",
        "passed": "达标",
        "failed": "未达标",
        "eligible": "申请评审",
        "eligible_yes": "可申请评审",
        "eligible_no": "暂不可申请评审",
        "why_not": "原因",
        "answered": "已作答",
        "elements": "各要素得分",
        "element": "要素",
        "vetoes": "否决项",
        "veto": "否决项",
        "vetoes_none": "无否决项未通过",
        "items": "检查项得分表",
        "item": "检查项",
        "requirement": "考评内容",
        "status": "自评结论",
        "max_score": "标准分",
        "lost": "扣分",
        "deductions": "扣分原因",
        "deduction_ids": "扣分项编号",
        "note": "说明",
        "summary": "扣分点及原因说明汇总表",
        "summary_none": "无扣分",
        "reason": "扣分点",
        "points": "分",
        "times": "次",
        "total": "合计",
        "hazards": "隐患及整改情况",
        "hazards_none": "无隐患",
        "level": "级别",
        "source": "来源",
        "state": "整改状态",
        "owner": "责任人",
        "measures": "整改措施",
        "deadline": "整改期限",
        "evidence": "证据",
        "overdue": "已逾期",
        "description": "隐患描述",
        "application": "评审申请",
        "application_state": "申请状态",
        "cycle": "评审轮次",
        "submitted_on": "提交日期",
        "due_on": "当前期限",
        "reasons": "退回或不通过原因",
        "reviewers": "评审员",
        "employer": "所在单位",
        "conclusion": "评审结论",
        "not_concluded": "尚未作出结论",
        "comparison": "自评与评审对比",
        "self": "自评",
        "review": "评审",
        "delta": "差值",
        "not_reviewed": "尚无评审评分",
        "timeline": "办理记录",
        "date": "日期",
        "action": "事项",
        "actor": "经办人",
        "number": "证书编号",
        "issued_on": "发证日期",
        "valid_until": "有效期至",
        "certificate_status": "证书状态",
        "revoked_reason": "撤销原因",
        "verify": "扫码或访问以下网址查验证书真伪",
        "sheet_summary": "概况",
        "sheet_items": "检查项",
        "sheet_deductions": "扣分汇总",
        "sheet_hazards": "隐患",
        "sheet_comparison": "对比",
        "key": "项目",
        "value": "内容",
        "yes": "是",
        "no": "否",
        "unanswered": "未作答",
    },
    "en": {
        "assessment_title": "Work-safety standardisation self-assessment report",
        "application_title": "Work-safety standardisation review report",
        "certificate_title": "Work-safety standardisation certificate",
        "generated": "Generated",
        "page_a": "Page ",
        "page_b": " of ",
        "page_c": "",
        "profile": "Enterprise",
        "name": "Name",
        "uscc": "Unified social credit code",
        "region": "Region",
        "industry": "Industry",
        "size": "Size class",
        "employees": "Employees",
        "hazard_modules": "Hazard modules",
        "none": "none",
        "checklist": "Checklists",
        "pack": "Checklist",
        "version": "Version",
        "kind": "Kind",
        "fingerprint": "Fingerprint",
        "outdated": " (checklist since updated)",
        "totals": "Self-assessment result",
        "review_totals": "Review result",
        "earned": "Score",
        "applicable": "Applicable points",
        "full_marks": "Full marks",
        "percentage": "Percentage",
        "grade": "Grade",
        "result": "Result",
        "passed": "standard reached",
        "failed": "not reached",
        "eligible": "Review application",
        "eligible_yes": "may apply for review",
        "eligible_no": "may not apply yet",
        "why_not": "Why not",
        "answered": "Answered",
        "elements": "Score per element",
        "element": "Element",
        "vetoes": "Veto items failed",
        "veto": "Veto item",
        "vetoes_none": "no veto item failed",
        "items": "Item scores",
        "item": "Item",
        "requirement": "Requirement",
        "status": "Status",
        "max_score": "Max",
        "lost": "Lost",
        "deductions": "Deductions",
        "deduction_ids": "Deduction ids",
        "note": "Note",
        "summary": "Deductions and their reasons",
        "summary_none": "no deductions",
        "reason": "Deduction",
        "points": "pts",
        "times": "times",
        "total": "Total",
        "hazards": "Hazards and rectification",
        "hazards_none": "no hazards",
        "level": "Level",
        "source": "Source",
        "state": "Rectification",
        "owner": "Owner",
        "measures": "Measures",
        "deadline": "Deadline",
        "evidence": "Evidence",
        "overdue": "overdue",
        "description": "Description",
        "application": "Application",
        "application_state": "State",
        "cycle": "Review round",
        "submitted_on": "Submitted",
        "due_on": "Current deadline",
        "reasons": "Return or rejection reasons",
        "reviewers": "Reviewers",
        "employer": "Employer",
        "conclusion": "Conclusion",
        "not_concluded": "not concluded yet",
        "comparison": "Self-assessment and review",
        "self": "Self",
        "review": "Review",
        "delta": "Delta",
        "not_reviewed": "no review scores yet",
        "timeline": "Audit trail",
        "date": "Date",
        "action": "Action",
        "actor": "By",
        "number": "Certificate number",
        "issued_on": "Issued on",
        "valid_until": "Valid until",
        "certificate_status": "Status",
        "revoked_reason": "Reason for revocation",
        "verify": "Scan or open this address to verify the certificate",
        "sheet_summary": "Summary",
        "sheet_items": "Items",
        "sheet_deductions": "Deductions",
        "sheet_hazards": "Hazards",
        "sheet_comparison": "Comparison",
        "key": "Field",
        "value": "Value",
        "yes": "yes",
        "no": "no",
        "unanswered": "unanswered",
    },
}


def labels(lang: str) -> dict[str, str]:
    """The report's labels in ``lang`` (zh-CN or en)."""
    return LABELS["en" if lang == "en" else "zh-CN"]


def name_of(code: str | None, lang: str) -> str:
    """A code's label (the pages' names, :data:`anbiao.api.kernel.i18n.NAMES`)."""
    return "" if code is None else name(lang, code)


async def assessment_report(
    session: AsyncSession,
    engine: Engine,
    assessment: Assessment,
    *,
    lang: Lang = "zh-CN",
    today: date,
) -> Context:
    """Context of the self-assessment report (自评报告) of ``assessment``, scored by the engine;
    the hazards are the enterprise's self-assessment hazards (Hazard rows, source ``self``)."""
    scored = score_answers(engine, assessment.profile, assessment.answers)
    hazards = await _hazards(
        session,
        scored.composed,
        lang,
        today,
        Hazard.enterprise_id == assessment.enterprise_id,
        Hazard.source == "self",
    )
    return self_assessment_context(
        engine, scored, assessment.fingerprint, hazards, lang=lang, today=today
    )


def self_assessment_context(
    engine: Engine,
    scored: Scored,
    fingerprint: str,
    hazards: list[Context],
    *,
    lang: Lang = "zh-CN",
    today: date,
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
    session: AsyncSession,
    engine: Engine,
    application: Application,
    *,
    lang: Lang = "zh-CN",
    today: date,
) -> Context:
    """Context of the review report (评审报告): the frozen self-assessment, the reviewers' result
    of the current cycle and the item-by-item comparison, the conclusion and the audit dates."""
    compared = await compare(session, engine, application)
    composed = compared.own.composed
    hazards = await _hazards(
        session, composed, lang, today, Hazard.application_id == application.id
    )
    reviewers = await session.execute(
        select(User.name, User.employer)
        .join(Assignment, Assignment.reviewer_id == User.id)
        .where(Assignment.application_id == application.id, Assignment.cycle == application.cycle)
        .order_by(User.name)
    )
    return {
        **_head("application", lang, today),
        "enterprise": _enterprise(engine, compared.own.profile, lang),
        "checklist": _checklist(engine, composed, application.fingerprint, lang),
        "result": result_section(compared.own, lang),
        "review": result_section(compared.review, lang) if compared.review else None,
        "comparison": _comparison(compared, lang),
        "application": {
            "id": str(application.id),
            "state": application.state,
            "state_label": name_of(application.state, lang),
            "cycle": application.cycle,
            "submitted_on": application.submitted_on,
            "due_on": application.due_on,
            "reasons": application.reasons,
        },
        "conclusion": _conclusion(application, composed, lang),
        "reviewers": [{"name": n, "employer": e} for n, e in reviewers],
        "timeline": await _timeline(session, application.id, lang),
        "hazards": hazards,
    }


async def certificate_report(
    session: AsyncSession,
    certificate: Certificate,
    *,
    base_url: str,
    lang: Lang = "zh-CN",
    today: date,
) -> Context:
    """Context of the certificate (证书), with a QR code of its public verification page."""
    enterprise = await session.get_one(Enterprise, certificate.enterprise_id)
    return certificate_context(
        certificate, enterprise.uscc, base_url=base_url, lang=lang, today=today
    )


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
            "number": certificate.number,
            "enterprise_name": certificate.enterprise_name,
            "uscc": uscc,
            "grade": i18n.t(lang, certificate.grade),  # stored in Chinese, as issued
            "issued_on": certificate.issued_on,
            "valid_until": certificate.valid_until,
            "status": status,
            "status_label": name_of(status, lang),
            "valid": valid,
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
        scale=1, unit="mm", dark=QR_DARK, light="#ffffff", border=4, svgclass="qr"
    )


def _head(kind: str, lang: str, today: date) -> Context:
    t = labels(lang)
    return {
        "kind": kind,
        "lang": "en" if lang == "en" else "zh-CN",
        "t": t,
        "title": t[f"{kind}_title"],
        "generated_on": today,
    }


def _enterprise(engine: Engine, profile: Profile, lang: str) -> Context:
    catalog = engine.catalog
    industry = catalog.industries.get(profile.industry)
    modules = [
        catalog.hazards[h].title.get(lang) if h in catalog.hazards else h
        for h in sorted(profile.hazards)
    ]
    size = profile.size_class().value
    return {
        "name": profile.name,
        "uscc": profile.uscc,
        "region": profile.region,
        "industry": industry.title.get(lang) if industry else profile.industry,
        "size_class": size,
        "size_label": name_of(size, lang),
        "employees": profile.employees,
        "hazard_modules": modules,
    }


def _checklist(engine: Engine, composed: ComposedChecklist, fingerprint: str, lang: str) -> Context:
    packs = engine.catalog.packs
    return {
        "fingerprint": fingerprint,
        "current": composed.fingerprint == fingerprint,
        "packs": [
            {
                "id": p.id,
                "version": p.version,
                "kind": p.kind,
                "kind_label": name_of(p.kind, lang),
                "title": packs[p.id].pack.title.get(lang) if p.id in packs else p.id,
            }
            for p in composed.packs
        ],
    }


def result_section(scored: Scored, lang: str) -> Context:
    """Totals, elements, vetoes, the item table and the deduction summary of one scoring."""
    result, composed = scored.result, scored.composed
    titles = _titles(composed.elements, lang, {})
    items, summary = [], []
    for s in result.items:
        item = composed.items[s.item_id].item
        reasons = {d.id: d.reason.get(lang) for d in item.deductions}
        status = s.status.value if s.status else None
        lost = s.max_score - s.earned if s.applicable else 0
        deductions = [
            {"id": d.id, "reason": reasons.get(d.id, d.id), "times": d.times, "points": d.points}
            for d in s.deductions
        ]
        row = {
            "id": s.item_id,
            "element": s.element,
            "element_title": titles.get(s.element, ""),
            "requirement": item.requirement.get(lang),
            "status": status,
            "status_label": _STATUS["en" if lang == "en" else "zh-CN"][status],
            "max_score": s.max_score,
            "earned": s.earned,
            "lost": lost,
            "deductions": deductions,
            "note": s.note or "",
            "veto": item.veto is not None,
        }
        items.append(row)
        if lost:
            summary.append(
                {
                    **row,
                    "reasons": deductions
                    or [{"id": "", "reason": row["status_label"], "times": 1, "points": lost}],
                }
            )
    band = result.band.title.get(lang) if result.band else ""
    t = labels(lang)
    return {
        "totals": {
            "earned": result.earned,
            "applicable": result.applicable,
            "full_marks": result.full_marks,
            "percentage": str(result.percentage),
            "band": result.band.id if result.band else None,
            "grade": band,
            "passed": result.passed,
            "result_label": band if result.passed else t["failed"],
            "eligible": result.eligible,
            "complete": result.complete,
            "answered": result.answered,
            "total_items": result.total_items,
            "ineligible": [bilingual(i.message, lang) for i in result.ineligible],
        },
        "elements": [
            {
                "code": e.code,
                "title": titles.get(e.code, ""),
                "depth": e.code.count("."),
                "earned": e.earned,
                "applicable": e.applicable,
                "percentage": str(e.percentage),
            }
            for e in result.elements
        ],
        "vetoes": [
            {"id": v, "requirement": composed.items[v].item.requirement.get(lang)}
            for v in result.vetoes
        ],
        "items": items,
        "summary": summary,
        "lost_total": sum(r["lost"] for r in summary),
    }


def _titles(elements: Iterable[ComposedElement], lang: str, out: dict[str, str]) -> dict[str, str]:
    for element in elements:
        out[element.code] = element.title.get(lang)
        _titles(element.elements, lang, out)
    return out


def _comparison(compared: Comparison, lang: str) -> Context:
    statuses = _STATUS["en" if lang == "en" else "zh-CN"]
    composed = compared.own.composed
    rows = [
        {
            **d,
            "requirement": composed.items[d["item_id"]].item.requirement.get(lang),
            "self_status": d["self_status"] and str(d["self_status"]),
            "review_status": d["review_status"] and str(d["review_status"]),
            "self_label": statuses[d["self_status"]],
            "review_label": statuses[d["review_status"]] if compared.review else "",
        }
        for d in compared.items
    ]
    return {
        **compared.totals(),
        "items": rows,
        "changed": [
            r
            for r in rows
            if r["delta"] or (compared.review and r["self_status"] != r["review_status"])
        ],
    }


def _conclusion(application: Application, composed: ComposedChecklist, lang: str) -> Context:
    t = labels(lang)
    result = application.review_result
    if not result:
        return {"concluded": False, "passed": False, "text": t["not_concluded"]}
    band = next((b for b in composed.scoring.bands if b.id == result.get("band")), None)
    grade = band.title.get(lang) if band else ""
    return {
        "concluded": True,
        "passed": bool(result.get("passed")),
        "grade": grade,
        "percentage": result.get("percentage"),
        "earned": result.get("earned"),
        "applicable": result.get("applicable"),
        "text": grade if result.get("passed") and grade else t["failed"],
    }


async def _timeline(session: AsyncSession, application_id: UUID, lang: str) -> list[Context]:
    rows = await session.execute(
        select(Event.action, Event.created_at, User.name)
        .outerjoin(User, User.id == Event.actor_id)
        .where(Event.application_id == application_id)
        .order_by(Event.id)
    )
    return [
        {"action": a, "label": name_of(a, lang), "date": at.date(), "actor": who or ""}
        for a, at, who in rows
    ]


async def _hazards(
    session: AsyncSession, composed: ComposedChecklist, lang: str, today: date, *where: Any
) -> list[Context]:
    rows = await session.scalars(select(Hazard).where(*where).order_by(Hazard.item_id, Hazard.id))
    out = []
    for h in rows:
        item = composed.items.get(h.item_id)
        out.append(
            {
                "item_id": h.item_id,
                "requirement": item.item.requirement.get(lang) if item else "",
                "description": h.description,
                "level": h.level,
                "level_label": name_of(h.level, lang),
                "source": h.source,
                "source_label": name_of(h.source, lang),
                "state": h.state,
                "state_label": name_of(h.state, lang),
                "owner": h.owner,
                "measures": h.measures,
                "deadline": h.deadline,
                "evidence": len(h.evidence),
                "overdue": h.state != "closed" and h.deadline is not None and h.deadline < today,
            }
        )
    return out
