"""Enterprise pages: the dashboard, the self-assessment filled section by section with its
evidence, the result, the hazard ledger and evidence downloads."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.sessions import ANYONE, ENTERPRISE
from anbiao.api.assessments.checklist import answered, answers_from_form, section_of, sections, why
from anbiao.api.assessments.evidence import get_evidence, store_evidence
from anbiao.api.assessments.saving import read_for_save, save_answers
from anbiao.api.assessments.schemas import AnswersPatch
from anbiao.api.assessments.service import (
    create_assessment,
    is_frozen,
    open_major_hazards,
    reopened_items,
    score_answers,
)
from anbiao.api.assessments.standing import standing
from anbiao.api.enterprises.service import enterprise_view
from anbiao.api.kernel import i18n
from anbiao.api.kernel.access import (
    get_assessment,
    get_enterprise,
    not_found,
    scope_applications,
    scope_hazards,
)
from anbiao.api.kernel.errors import Rejected, StaleVersion
from anbiao.api.kernel.files import EVIDENCE, stored_file
from anbiao.api.kernel.forms import form_data
from anbiao.api.kernel.models import (
    TERMINAL,
    Application,
    Assessment,
    Evidence,
    Hazard,
    Role,
    State,
    User,
)
from anbiao.api.kernel.pages import page, safe_next, see_other
from anbiao.api.kernel.storage import storage_for
from anbiao.core.engine import Engine
from anbiao.core.errors import Message
from anbiao.core.models.profile import Profile

SHOWS = ("open", "failed", "all")
Show = Annotated[Literal["open", "failed", "all"], QueryParameter(name="show")]


@get("/enterprise", guards=ENTERPRISE)
async def dashboard(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template:
    enterprise = await get_enterprise(db_session, viewer, viewer.enterprise_id)
    assessments = (
        await db_session.scalars(
            select(Assessment)
            .where(Assessment.enterprise_id == enterprise.id)
            .order_by(Assessment.created_at.desc())
        )
    ).all()
    applications = (
        await db_session.scalars(
            scope_applications(select(Application), viewer).order_by(Application.created_at.desc())
        )
    ).all()
    hazards = (
        await db_session.scalars(
            scope_hazards(select(Hazard), viewer)
            .where(Hazard.state != "closed")
            .order_by(Hazard.level.desc(), Hazard.created_at)
        )
    ).all()
    return page(
        request,
        "enterprise/dashboard.html",
        enterprise=enterprise_view(engine, enterprise, i18n.negotiate(request)),
        assessments=[
            (a, standing(score_answers(engine, a.profile, a.answers, a.id).result))
            for a in assessments
        ],
        applications=applications,
        hazards=hazards,
        active={a.assessment_id for a in applications if State(a.state) not in TERMINAL},
    )


@post("/enterprise/assessments", guards=ENTERPRISE, status_code=303)
async def start_assessment(
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Redirect:
    enterprise = await get_enterprise(db_session, viewer, viewer.enterprise_id)
    assessment = await create_assessment(db_session, engine, viewer, enterprise)
    await db_session.commit()
    return see_other(f"/assessments/{assessment.id}")


def _enterprise_only(viewer: User) -> None:
    """The self-assessment pages are the enterprise's: to anyone else not found."""
    if viewer.role != Role.enterprise:
        raise not_found("assessment.not_found")


async def own_assessment(session: AsyncSession, viewer: User, assessment_id: UUID) -> Assessment:
    _enterprise_only(viewer)
    return await get_assessment(session, viewer, assessment_id)


def _overview(engine: Engine, assessment: Assessment, lang: str) -> dict[str, Any]:
    profile = Profile.model_validate(assessment.profile)
    composed = engine.compose(profile)
    catalog = engine.catalog
    packs = []
    for ref in composed.packs:
        entry = catalog.packs.get(ref.id)
        condition = getattr(entry.pack, "applies_to", None) if entry else None
        packs.append(
            {
                "id": ref.id,
                "version": ref.version,
                "kind": ref.kind,
                "title": entry.pack.title.get(lang) if entry else ref.id,
                "why": why(condition, catalog, profile, lang),
            }
        )
    parts = sections(composed)
    progress = [(s, answered(s, assessment.answers), len(s.item_ids)) for s in parts]
    resume = next((s.code for s, done, total in progress if done < total), parts[0].code)
    return {
        "composed": composed,
        "packs": packs,
        "sections": parts,
        "progress": progress,
        "resume": resume,
    }


@get("/assessments/{assessment_id:uuid}", guards=ENTERPRISE)
async def overview(
    request: Request[Any, Any, Any],
    assessment_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template:
    """Which packs apply and why, progress per element, and where to go on."""
    assessment = await own_assessment(db_session, viewer, assessment_id)
    scored = score_answers(engine, assessment.profile, assessment.answers, assessment.id)
    return page(
        request,
        "enterprise/assessment.html",
        assessment=assessment,
        st=standing(scored.result),
        checklist_current=scored.composed.fingerprint == assessment.fingerprint,
        frozen=await is_frozen(db_session, assessment),
        **_overview(engine, assessment, i18n.negotiate(request)),
    )


async def _section_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    engine: Engine,
    assessment: Assessment,
    code: str,
    **extra: Any,
) -> Template:
    data = _overview(engine, assessment, i18n.negotiate(request))
    section = section_of(data["composed"], code)
    evidence = (
        await session.scalars(
            select(Evidence)
            .where(Evidence.assessment_id == assessment.id, Evidence.item_id.in_(section.item_ids))
            .order_by(Evidence.created_at)
        )
    ).all()
    by_item: dict[str, list[Evidence]] = {}
    for e in evidence:
        by_item.setdefault(e.item_id, []).append(e)
    reopened = await reopened_items(session, assessment)
    scored = score_answers(engine, assessment.profile, assessment.answers, assessment.id)
    answered_ids = {i for i, a in assessment.answers.items() if (a or {}).get("status")}
    return page(
        request,
        "enterprise/fill.html",
        assessment=assessment,
        section=section,
        evidence=by_item,
        reopened=reopened,
        st=standing(scored.result),
        answered_ids=answered_ids,
        first_open=next((i for i in section.item_ids if i not in answered_ids), None),
        max_upload=request.app.state.settings.max_upload_bytes,
        frozen=await is_frozen(session, assessment),
        **data,
        **extra,
    )


@get("/assessments/{assessment_id:uuid}/fill/{code:str}", guards=ENTERPRISE)
async def fill(
    request: Request[Any, Any, Any],
    assessment_id: FromPath[UUID],
    code: FromPath[str],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
    show: Show = "all",
) -> Template:
    """One element's items (all, unanswered or failed ones): status, deductions, note, evidence;
    saved as they change."""
    assessment = await own_assessment(db_session, viewer, assessment_id)
    return await _section_page(request, db_session, engine, assessment, code, show=show)


@post("/assessments/{assessment_id:uuid}/fill/{code:str}", guards=ENTERPRISE, status_code=200)
async def autosave(
    request: Request[Any, Any, Any],
    assessment_id: FromPath[UUID],
    code: FromPath[str],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template | Redirect:
    """Save the item's answer with the version the page holds (a stale page gets 409).
    htmx gets the item's save status; a browser without JavaScript goes back to the page.
    The assessment is read once, as the save needs it (the stored answers build the batch)."""
    _enterprise_only(viewer)
    connection = await db_session.connection()
    row = await read_for_save(connection, viewer, assessment_id)
    form = await form_data(request)
    _, composed = engine.stored_profile(row.profile)
    stored, _ = engine.sheets.read(assessment_id, row.answers)
    section = section_of(composed, code)
    given = answers_from_form(form, composed, section.item_ids, stored)
    changed = {k: v for k, v in given.items() if stored.get(k) != v}
    patch = AnswersPatch.model_validate(
        {"version": int(form.get("version") or 0), "answers": changed}
    )
    try:
        saved = await save_answers(connection, engine, viewer, assessment_id, patch, row)
    except StaleVersion as stale:
        if not request.headers.get("hx-request"):
            raise
        return _conflict(request, list(given), stale)
    await db_session.commit()
    if not request.headers.get("hx-request"):
        show = form.get("show") if form.get("show") in SHOWS else "all"
        return see_other(f"/assessments/{assessment_id}/fill/{code}?show={show}")
    # the fragment names the assessment (id) and its new version: ``saved`` has both
    return page(
        request, "enterprise/save_status.html", assessment=saved, st=standing(saved.scored.result)
    )


def _conflict(request: Request[Any, Any, Any], items: list[str], stale: StaleVersion) -> Template:
    """Another session saved first (409, htmx): the conflict on the item, with what the server
    holds for it now (the 409's current state); the page keeps the typed answer and offers to
    reload."""
    answers = stale.current["answers"]
    return page(
        request,
        "enterprise/save_conflict.html",
        status_code=409,
        message=i18n.describe(stale, i18n.negotiate(request)),
        current=[answers.get(item) or {} for item in items],
    )


@post("/assessments/{assessment_id:uuid}/evidence", guards=ENTERPRISE, status_code=200)
async def upload_evidence(
    request: Request[Any, Any, Any],
    assessment_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template | Redirect:
    """An evidence file or a camera photo for one item (type judged by content, size limited).
    htmx and the page's script get the item's evidence list; a plain form goes back."""
    assessment = await own_assessment(db_session, viewer, assessment_id)
    form = await request.form()
    item_id = str(form.get("item_id", ""))
    chosen = [f for f in (form.get("photo"), form.get("file")) if isinstance(f, UploadFile)]
    upload = next((f for f in chosen if f.filename), None)
    if upload is None:
        raise Rejected(Message("evidence.no_file"))
    limit = request.app.state.settings.max_upload_bytes
    content = await upload.read(limit + 1)
    await upload.close()
    await store_evidence(
        db_session,
        storage_for(request.app),
        engine,
        viewer,
        assessment,
        item_id=item_id,
        note=str(form.get("note", "")),
        filename=upload.filename,
        content=content,
        limit=limit,
    )
    files = (
        await db_session.scalars(
            select(Evidence)
            .where(Evidence.assessment_id == assessment.id, Evidence.item_id == item_id)
            .order_by(Evidence.created_at)
        )
    ).all()
    if not request.headers.get("hx-request"):
        return see_other(safe_next(form.get("back"), f"/assessments/{assessment.id}"))
    return page(request, "enterprise/evidence_list.html", files=files, item_id=item_id)


@get("/assessments/{assessment_id:uuid}/result", guards=ENTERPRISE)
async def result(
    request: Request[Any, Any, Any],
    assessment_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template:
    """Score per element, vetoes, hazards, what raises the grade, and whether one may apply."""
    assessment = await own_assessment(db_session, viewer, assessment_id)
    scored = score_answers(engine, assessment.profile, assessment.answers, assessment.id)
    lang = i18n.negotiate(request)
    open_major = await open_major_hazards(db_session, assessment.enterprise_id)
    applications = (
        await db_session.scalars(
            select(Application)
            .where(Application.assessment_id == assessment.id)
            .order_by(Application.created_at.desc())
        )
    ).all()
    active = next((a for a in applications if State(a.state) not in TERMINAL), None)
    tops = {e.code: e.title for e in scored.composed.elements}
    return page(
        request,
        "enterprise/result.html",
        assessment=assessment,
        r=scored.result,
        st=standing(scored.result),
        scoring=scored.composed.scoring,
        composed=scored.composed,
        open_major=open_major,
        active=active,
        element_scores=[(tops[e.code], e) for e in scored.result.elements if e.code in tops],
        reasons=[i18n.message(lang, i.coded) for i in scored.result.ineligible],
    )


@get("/evidence/{evidence_id:uuid}", guards=ANYONE)
async def evidence_file(
    request: Request[Any, Any, Any],
    evidence_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
) -> Response[bytes]:
    """An evidence file, for those who may read its assessment."""
    evidence = await get_evidence(db_session, viewer, evidence_id)
    return await stored_file(EVIDENCE, storage_for(request.app), evidence)


HANDLERS = [
    dashboard,
    start_assessment,
    overview,
    fill,
    autosave,
    upload_evidence,
    result,
    evidence_file,
]
