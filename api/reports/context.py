"""What a report shows: the context of the self-assessment, review and certificate
reports, in the report's language."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote
from uuid import UUID

import segno
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.applications.review import compare
from anbiao.api.assessments.plan import action_plan, is_overdue
from anbiao.api.assessments.service import Scored, score_answers
from anbiao.api.kernel import i18n
from anbiao.api.kernel.i18n import Lang, name
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
from anbiao.api.kernel.storage import Storage
from anbiao.api.reports.findings import findings_section
from anbiao.api.reports.labels import labels
from anbiao.api.reports.plan import plan_section
from anbiao.api.reports.sections import Context, comparison_section, result_section
from anbiao.core.compose import ComposedChecklist
from anbiao.core.engine import Engine
from anbiao.core.models.profile import Profile

QR_DARK = "#0a1f3c"  # the certificate's QR colour (dark navy; tests find the symbol by it)


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
    scored = score_answers(engine, assessment.profile, assessment.answers, assessment.id)
    hazards = await _hazards(
        session,
        scored.composed,
        lang,
        today,
        Hazard.enterprise_id == assessment.enterprise_id,
        Hazard.source == "self",
    )
    plan = await action_plan(session, assessment, scored.composed, lang=lang, today=today)
    return self_assessment_context(
        engine,
        scored,
        assessment.fingerprint,
        hazards,
        lang=lang,
        today=today,
        plan=plan_section(plan, lang),
    )


async def plan_report(
    session: AsyncSession,
    engine: Engine,
    assessment: Assessment,
    *,
    lang: Lang = "zh-CN",
    today: date,
) -> Context:
    """Context of the action plan (整改计划) of ``assessment``: the enterprise, its checklist
    and the plan's rows (``anbiao.api.assessments.plan``)."""
    profile = Profile.model_validate(assessment.profile)
    composed = engine.compose(profile)
    plan = await action_plan(session, assessment, composed, lang=lang, today=today)
    return {
        **_head("plan", lang, today),
        "enterprise": _enterprise(engine, profile, lang),
        "checklist": _checklist(engine, composed, assessment.fingerprint, lang),
        "plan": plan_section(plan, lang),
    }


def self_assessment_context(
    engine: Engine,
    scored: Scored,
    fingerprint: str,
    hazards: list[Context],
    *,
    lang: Lang = "zh-CN",
    today: date,
    plan: list[Context] | None = None,
) -> Context:
    """The self-assessment report's context from a scoring (no database); ``plan``: the action
    plan's rows (``anbiao.api.reports.plan.plan_section``)."""
    return {
        **_head("assessment", lang, today),
        "enterprise": _enterprise(engine, scored.profile, lang),
        "checklist": _checklist(engine, scored.composed, fingerprint, lang),
        "result": result_section(scored, lang),
        "hazards": hazards,
        "plan": plan or [],
    }


async def application_report(
    session: AsyncSession,
    engine: Engine,
    application: Application,
    *,
    lang: Lang = "zh-CN",
    today: date,
    storage: Storage | None = None,
) -> Context:
    """Context of the review report (评审报告): the frozen self-assessment, the reviewers' result
    of the current cycle and the item-by-item comparison, the conclusion, the findings (with
    their photos read from ``storage`` when given, for thumbnails) and the audit dates."""
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
        "comparison": comparison_section(compared, lang),
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
        "findings": await findings_section(session, storage, application, lang),
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
                "overdue": is_overdue(h.state, h.deadline, today),
            }
        )
    return out
