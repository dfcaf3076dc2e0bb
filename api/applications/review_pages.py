"""Queues and scoring: the reviewer's assigned applications and item-level scoring on site,
the authority's queue of applications awaiting it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.sessions import ADMIN, REVIEWER
from anbiao.api.applications.review import save_review
from anbiao.api.applications.rules import Context, reviewers_of
from anbiao.api.applications.schemas import ReviewIn
from anbiao.api.assessments.checklist import answered, answers_from_form, section_of, sections
from anbiao.api.kernel.access import get_application, not_found, scope_applications
from anbiao.api.kernel.errors import Conflict
from anbiao.api.kernel.forms import form_data
from anbiao.api.kernel.models import Application, Enterprise, Evidence, User
from anbiao.api.kernel.pages import catalog_choices, page, see_other
from anbiao.core.engine import Engine
from anbiao.core.errors import Message

RegionQuery = Annotated[str | None, QueryParameter(pattern=r"^\d{0,6}$")]
TextQuery = Annotated[str | None, QueryParameter(max_length=64)]


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """The list filters of the queue pages (blank: no filter)."""

    region: str = ""
    industry: str = ""
    status: str = ""
    overdue: str = ""


def provide_filters(
    region: RegionQuery = None,
    industry: TextQuery = None,
    status: TextQuery = None,
    overdue: TextQuery = None,
) -> QueueFilters:
    return QueueFilters(region or "", industry or "", status or "", overdue or "")


async def queue_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    engine: Engine,
    viewer: User,
    f: QueueFilters,
    template: str,
    *,
    waiting: tuple[str, ...] = (),
) -> Template:
    """Applications in the viewer's scope, by deadline, filtered; without a state filter only
    those in ``waiting`` states (when given)."""
    today = request.app.state.clock()
    query = scope_applications(
        select(Application, Enterprise.name).join(
            Enterprise, Enterprise.id == Application.enterprise_id
        ),
        viewer,
    )
    if f.region:
        query = query.where(Application.region.startswith(f.region))
    if f.industry:
        query = query.where(Application.industry == f.industry)
    if f.status:
        query = query.where(Application.state == f.status)
    elif waiting:
        query = query.where(Application.state.in_(waiting))
    if f.overdue == "yes":
        query = query.where(Application.due_on.is_not(None), Application.due_on < today)
    query = query.order_by(
        Application.due_on.is_(None), Application.due_on, Application.created_at
    ).limit(200)
    return page(
        request,
        template,
        rows=(await session.execute(query)).all(),
        today=today,
        filters=f,
        **catalog_choices(engine),
    )


@get(
    "/review",
    guards=REVIEWER,
    dependencies={"filters": Provide(provide_filters, sync_to_thread=False)},
)
async def queue(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
    filters: NamedDependency[QueueFilters],
) -> Template:
    """Assigned applications, by deadline; filter by region, industry, state and overdue."""
    return await queue_page(request, db_session, engine, viewer, filters, "review/queue.html")


async def _under_review(session: AsyncSession, viewer: User, application_id: UUID) -> Application:
    application = await get_application(session, viewer, application_id)
    if application.state != "under_review":
        raise Conflict(Message("review.not_under_review"))
    return application


@get("/review/{application_id:uuid}/score", guards=REVIEWER, status_code=303)
async def score_start(
    application_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Redirect:
    application = await _under_review(db_session, viewer, application_id)
    composed = engine.profile_of(application.profile)[1]
    return see_other(f"/review/{application.id}/score/{composed.elements[0].code}")


@get("/review/{application_id:uuid}/score/{code:str}", guards=REVIEWER)
async def score(
    request: Request[Any, Any, Any],
    application_id: FromPath[UUID],
    code: FromPath[str],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template:
    """One element: the enterprise's answers and evidence beside this reviewer's scoring."""
    application = await _under_review(db_session, viewer, application_id)
    composed = engine.profile_of(application.profile)[1]
    parts = sections(composed)
    section = section_of(composed, code)
    mine = await _my_answers(db_session, viewer, application)
    evidence: dict[str, list[Evidence]] = {}
    for e in await db_session.scalars(
        select(Evidence)
        .where(
            Evidence.assessment_id == application.assessment_id,
            Evidence.item_id.in_(section.item_ids),
        )
        .order_by(Evidence.created_at)
    ):
        evidence.setdefault(e.item_id, []).append(e)
    enterprise = await db_session.get_one(Enterprise, application.enterprise_id)
    return page(
        request,
        "review/score.html",
        application=application,
        enterprise=enterprise,
        section=section,
        mine=mine,
        evidence=evidence,
        progress=[(s, answered(s, mine), len(s.item_ids)) for s in parts],
    )


async def _my_answers(
    session: AsyncSession, viewer: User, application: Application
) -> dict[str, Any]:
    for assignment in await reviewers_of(session, application, application.cycle):
        if assignment.reviewer_id == viewer.id:
            return assignment.answers
    raise not_found("application.not_found")


@post("/review/{application_id:uuid}/score/{code:str}", guards=REVIEWER, status_code=200)
async def save_score(
    request: Request[Any, Any, Any],
    application_id: FromPath[UUID],
    code: FromPath[str],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template:
    """Save this reviewer's scores of the element (merged into the earlier ones)."""
    application = await _under_review(db_session, viewer, application_id)
    composed = engine.profile_of(application.profile)[1]
    section = section_of(composed, code)
    mine = await _my_answers(db_session, viewer, application)
    given = answers_from_form(await form_data(request), composed, section.item_ids, mine)
    changed = {k: v for k, v in given.items() if mine.get(k) != v}
    ctx = Context(
        db_session,
        engine,
        viewer,
        request.app.state.clock(),
        ReviewIn.model_validate({"answers": changed}),
    )
    assignment, _ = await save_review(ctx, application)
    await db_session.commit()
    return page(
        request,
        "review/save_status.html",
        section=section,
        done=answered(section, assignment.answers),
    )


# States where the authority acts next (受理、指派、审定、公示、发证).
WAITING = ("submitted", "accepted", "reviewed_pass", "reviewed_fail", "publicity")


@get(
    "/admin", guards=ADMIN, dependencies={"filters": Provide(provide_filters, sync_to_thread=False)}
)
async def admin_queue(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
    filters: NamedDependency[QueueFilters],
) -> Template:
    """Applications of the region; by default those waiting for the authority."""
    return await queue_page(
        request, db_session, engine, viewer, filters, "admin/queue.html", waiting=WAITING
    )


HANDLERS = [queue, score_start, score, save_score, admin_queue]
