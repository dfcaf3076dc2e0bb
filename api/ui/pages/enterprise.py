"""Enterprise pages: dashboard, profile, self-assessment filled section by section, results."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from anbiao.api import services
from anbiao.api.access import get_assessment, get_enterprise, scope_applications, scope_hazards
from anbiao.api.db import Application, Assessment, Evidence, Hazard, Role, User
from anbiao.api.routes.evidence import store_evidence
from anbiao.api.schemas import ActionIn, AnswersPatch, ProfileUpdate
from anbiao.api.storage import storage_for
from anbiao.api.ui import i18n
from anbiao.api.ui.auth import signed_in
from anbiao.api.ui.checklist import answered, answers_from_form, section_of, sections, why
from anbiao.api.ui.forms import error_lines, form_data, profile_from_form, validate
from anbiao.api.ui.pages.public import catalog_choices
from anbiao.api.ui.render import page, see_other
from anbiao.api.workflow import TERMINAL, State
from anbiao.core.engine import Engine
from anbiao.core.models.profile import Profile
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

ENTERPRISE = [signed_in(Role.enterprise)]


def _profile_form(enterprise: Any) -> dict[str, Any]:
    p = enterprise.profile
    accidents = p.get("accidents_12m", {})
    return {"enterprise_name": p["name"], "uscc": p["uscc"], "region": p["region"],
            "industry": p["industry"], "hazards": p.get("hazards", []),
            "employees": p["employees"], "annual_revenue_10k": p["annual_revenue_10k"],
            "size_sector": p.get("size_sector", "industrial"),
            "deaths": accidents.get("deaths", 0),
            "serious_injuries": accidents.get("serious_injuries", 0),
            "direct_loss_10k": accidents.get("direct_loss_10k", 0),
            "consultant": enterprise.consultant, "version": enterprise.version}


@get("/enterprise", guards=ENTERPRISE)
async def dashboard(request: Request[Any, Any, Any], viewer: NamedDependency[User],
                    db_session: NamedDependency[AsyncSession], engine: NamedDependency[Engine]
                    ) -> Template:
    enterprise = await get_enterprise(db_session, viewer, viewer.enterprise_id)
    assessments = (await db_session.scalars(
        select(Assessment).where(Assessment.enterprise_id == enterprise.id)
        .order_by(Assessment.created_at.desc()))).all()
    applications = (await db_session.scalars(scope_applications(
        select(Application), viewer).order_by(Application.created_at.desc()))).all()
    hazards = (await db_session.scalars(scope_hazards(select(Hazard), viewer)
                                        .where(Hazard.state != "closed")
                                        .order_by(Hazard.level.desc(), Hazard.created_at))).all()
    return page(request, "enterprise/dashboard.html",
                enterprise=services.enterprise_view(engine, enterprise),
                assessments=[(a, services.assessment_view(engine, a)["result"]) for a in assessments],
                applications=applications, hazards=hazards,
                active={a.assessment_id for a in applications if State(a.state) not in TERMINAL})


@get("/enterprise/profile", guards=ENTERPRISE)
async def profile_form(request: Request[Any, Any, Any], viewer: NamedDependency[User],
                       db_session: NamedDependency[AsyncSession], engine: NamedDependency[Engine]
                       ) -> Template:
    enterprise = await get_enterprise(db_session, viewer, viewer.enterprise_id)
    return page(request, "enterprise/profile.html", form=_profile_form(enterprise), errors=[],
                saved=False, **catalog_choices(engine))


@post("/enterprise/profile", guards=ENTERPRISE, status_code=200)
async def save_profile(request: Request[Any, Any, Any], viewer: NamedDependency[User],
                       db_session: NamedDependency[AsyncSession], engine: NamedDependency[Engine]
                       ) -> Template:
    """A new profile, with the version read (someone else's change is a conflict, not lost)."""
    enterprise = await get_enterprise(db_session, viewer, viewer.enterprise_id)
    form = await form_data(request)
    lang = i18n.negotiate(request)
    body, errors = validate(ProfileUpdate, {
        "version": int(form.get("version") or 0), "profile": profile_from_form(form),
        "consultant": form.get("consultant", "")}, lang)
    if body is not None:
        try:
            await services.update_profile(db_session, engine, viewer, enterprise, body)
        except services.Rejected as exc:
            errors = error_lines(exc, lang)
        else:
            await db_session.commit()
            return page(request, "enterprise/profile.html", form=_profile_form(enterprise),
                        errors=[], saved=True, **catalog_choices(engine))
    return page(request, "enterprise/profile.html", status_code=422, form=form, errors=errors,
                saved=False, **catalog_choices(engine))


@post("/enterprise/assessments", guards=ENTERPRISE, status_code=303)
async def start_assessment(viewer: NamedDependency[User], db_session: NamedDependency[AsyncSession],
                           engine: NamedDependency[Engine]) -> Redirect:
    enterprise = await get_enterprise(db_session, viewer, viewer.enterprise_id)
    assessment = await services.create_assessment(db_session, engine, viewer, enterprise)
    await db_session.commit()
    return see_other(f"/assessments/{assessment.id}")


async def _assessment(session: AsyncSession, viewer: User, assessment_id: UUID) -> Assessment:
    if viewer.role != Role.enterprise:
        raise NotFoundException("自评 不存在 / not found")
    return await get_assessment(session, viewer, assessment_id)


def _overview(engine: Engine, assessment: Assessment, lang: str) -> dict[str, Any]:
    profile = Profile.model_validate(assessment.profile)
    composed = engine.compose(profile)
    catalog = engine.catalog
    packs = []
    for ref in composed.packs:
        entry = catalog.packs.get(ref.id)
        condition = getattr(entry.pack, "applies_to", None) if entry else None
        packs.append({"id": ref.id, "version": ref.version, "kind": ref.kind,
                      "title": entry.pack.title.get(lang) if entry else ref.id,
                      "why": why(condition, catalog, profile, lang)})
    parts = sections(composed)
    progress = [(s, answered(s, assessment.answers), len(s.item_ids)) for s in parts]
    resume = next((s.code for s, done, total in progress if done < total), parts[0].code)
    return {"composed": composed, "packs": packs, "sections": parts, "progress": progress,
            "resume": resume}


@get("/assessments/{assessment_id:uuid}", guards=ENTERPRISE)
async def overview(request: Request[Any, Any, Any], assessment_id: FromPath[UUID],
                   viewer: NamedDependency[User], db_session: NamedDependency[AsyncSession],
                   engine: NamedDependency[Engine]) -> Template:
    """Which packs apply and why, progress per element, and where to go on."""
    assessment = await _assessment(db_session, viewer, assessment_id)
    view = services.assessment_view(engine, assessment)
    return page(request, "enterprise/assessment.html", assessment=assessment,
                result=view["result"], frozen=await services.is_frozen(db_session, assessment),
                **_overview(engine, assessment, i18n.negotiate(request)))


async def _section_page(request: Request[Any, Any, Any], session: AsyncSession, engine: Engine,
                        assessment: Assessment, code: str, **extra: Any) -> Template:
    data = _overview(engine, assessment, i18n.negotiate(request))
    section = section_of(data["composed"], code)
    evidence = (await session.scalars(
        select(Evidence).where(Evidence.assessment_id == assessment.id,
                               Evidence.item_id.in_(section.item_ids))
        .order_by(Evidence.created_at))).all()
    by_item: dict[str, list[Evidence]] = {}
    for e in evidence:
        by_item.setdefault(e.item_id, []).append(e)
    reopened = await services.reopened_items(session, assessment)
    result = services.assessment_view(engine, assessment)["result"]
    return page(request, "enterprise/fill.html", assessment=assessment, section=section,
                evidence=by_item, reopened=reopened, result=result,
                frozen=await services.is_frozen(session, assessment), **data, **extra)


@get("/assessments/{assessment_id:uuid}/fill/{code:str}", guards=ENTERPRISE)
async def fill(request: Request[Any, Any, Any], assessment_id: FromPath[UUID], code: FromPath[str],
               viewer: NamedDependency[User], db_session: NamedDependency[AsyncSession],
               engine: NamedDependency[Engine]) -> Template:
    """One element's items: status, deductions, note, evidence; saved as they change."""
    assessment = await _assessment(db_session, viewer, assessment_id)
    return await _section_page(request, db_session, engine, assessment, code)


@post("/assessments/{assessment_id:uuid}/fill/{code:str}", guards=ENTERPRISE, status_code=200)
async def autosave(request: Request[Any, Any, Any], assessment_id: FromPath[UUID],
                   code: FromPath[str], viewer: NamedDependency[User],
                   db_session: NamedDependency[AsyncSession], engine: NamedDependency[Engine]
                   ) -> Template:
    """Save the section's answers with the version the page holds (a stale page gets 409)."""
    assessment = await _assessment(db_session, viewer, assessment_id)
    form = await form_data(request)
    composed = engine.compose(Profile.model_validate(assessment.profile))
    section = section_of(composed, code)
    given = answers_from_form(form, composed, section.item_ids, assessment.answers)
    changed = {k: v for k, v in given.items() if assessment.answers.get(k) != v}
    patch = AnswersPatch.model_validate({"version": int(form.get("version") or 0),
                                         "answers": changed})
    await services.save_answers(db_session, engine, viewer, assessment, patch)
    await db_session.commit()
    result = services.assessment_view(engine, assessment)["result"]
    return page(request, "enterprise/save_status.html", assessment=assessment, result=result,
                section=section, done=answered(section, assessment.answers), changed=len(changed))


@post("/assessments/{assessment_id:uuid}/evidence", guards=ENTERPRISE, status_code=200)
async def upload_evidence(request: Request[Any, Any, Any], assessment_id: FromPath[UUID],
                          viewer: NamedDependency[User], db_session: NamedDependency[AsyncSession],
                          engine: NamedDependency[Engine]) -> Template:
    """An evidence file for one item (type judged by content, size limited)."""
    assessment = await _assessment(db_session, viewer, assessment_id)
    form = await request.form()
    upload, item_id = form.get("file"), str(form.get("item_id", ""))
    if not isinstance(upload, UploadFile):
        raise services.Rejected("请选择文件 / choose a file")
    limit = request.app.state.settings.max_upload_bytes
    content = await upload.read(limit + 1)
    await upload.close()
    await store_evidence(db_session, storage_for(request.app), engine, viewer, assessment,
                         item_id=item_id, note=str(form.get("note", "")),
                         filename=upload.filename, content=content, limit=limit)
    files = (await db_session.scalars(select(Evidence).where(
        Evidence.assessment_id == assessment.id, Evidence.item_id == item_id)
        .order_by(Evidence.created_at))).all()
    return page(request, "enterprise/evidence_list.html", files=files, item_id=item_id)


@get("/assessments/{assessment_id:uuid}/result", guards=ENTERPRISE)
async def result(request: Request[Any, Any, Any], assessment_id: FromPath[UUID],
                 viewer: NamedDependency[User], db_session: NamedDependency[AsyncSession],
                 engine: NamedDependency[Engine]) -> Template:
    """Score per element, vetoes, hazards, what raises the grade, and whether one may apply."""
    assessment = await _assessment(db_session, viewer, assessment_id)
    scored = services.score_answers(engine, assessment.profile, assessment.answers)
    lang = i18n.negotiate(request)
    open_major = await services.open_major_hazards(db_session, assessment.enterprise_id)
    applications = (await db_session.scalars(select(Application).where(
        Application.assessment_id == assessment.id).order_by(Application.created_at.desc()))).all()
    active = next((a for a in applications if State(a.state) not in TERMINAL), None)
    tops = {e.code: e.title for e in scored.composed.elements}
    return page(request, "enterprise/result.html", assessment=assessment, r=scored.result,
                composed=scored.composed, open_major=open_major, active=active,
                element_scores=[(tops[e.code], e) for e in scored.result.elements if e.code in tops],
                reasons=[i18n.bilingual(i.message, lang) for i in scored.result.ineligible])


@post("/assessments/{assessment_id:uuid}/apply", guards=ENTERPRISE, status_code=303)
async def apply(assessment_id: FromPath[UUID], viewer: NamedDependency[User],
                request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                engine: NamedDependency[Engine]) -> Redirect:
    """Open an application for this self-assessment and submit it (the gate decides)."""
    assessment = await _assessment(db_session, viewer, assessment_id)
    application = await db_session.scalar(select(Application).where(
        Application.assessment_id == assessment.id, Application.state.in_(("draft", "returned"))))
    if application is None:
        application = await services.create_application(db_session, engine, viewer, assessment)
    ctx = services.Context(db_session, engine, viewer, request.app.state.clock(),
                           ActionIn(version=application.version))
    await services.transition(ctx, application, "submit")
    await db_session.commit()
    return see_other(f"/applications/{application.id}")


HANDLERS = [dashboard, profile_form, save_profile, start_assessment, overview, fill, autosave,
            upload_evidence, result, apply]
