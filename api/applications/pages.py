"""Pages every role opens in its own scope: an application with its actions and findings;
an enterprise applies for review from its self-assessment."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.sessions import ANYONE, ENTERPRISE, signed_in
from anbiao.api.applications import findings
from anbiao.api.applications.photos import photos_of
from anbiao.api.applications.review import compare
from anbiao.api.applications.routes import reviewer_candidates
from anbiao.api.applications.rules import Context, reviewers_of
from anbiao.api.applications.schemas import ActionIn, FindingIn, FindingWithdraw
from anbiao.api.applications.service import create_application, transition
from anbiao.api.applications.workflow import allowed_actions
from anbiao.api.assessments.pages import own_assessment
from anbiao.api.kernel import i18n
from anbiao.api.kernel.access import (
    get_application,
    get_finding,
    scope_hazards,
)
from anbiao.api.kernel.errors import coded
from anbiao.api.kernel.forms import as_list, error_lines, form_data, validate
from anbiao.api.kernel.models import (
    Application,
    Certificate,
    Enterprise,
    Event,
    Finding,
    Hazard,
    Role,
    State,
    User,
)
from anbiao.api.kernel.pages import page, see_other
from anbiao.core.engine import Engine
from anbiao.core.errors import AnbiaoError, Message

# Actions whose form asks for a reason (required by the rules, or recorded with it).
WITH_REASON = {"return", "reject", "revoke", "record_objection", "conclude_fail", "withdraw"}


async def application_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    engine: Engine,
    viewer: User,
    application: Application,
    *,
    status_code: int = 200,
    errors: list[str] | None = None,
) -> Template:
    """The application as ``viewer`` may see it, with the actions their role may take now."""
    enterprise = await session.get_one(Enterprise, application.enterprise_id)
    reviewers = await _reviewers(session, application)
    comparison = await compare(session, engine, application)
    hazards = (
        await session.scalars(
            scope_hazards(select(Hazard), viewer)
            .where(Hazard.application_id == application.id)
            .order_by(Hazard.created_at)
        )
    ).all()
    events, actors = await _history(session, application)
    findings = (
        await session.scalars(
            select(Finding).where(Finding.application_id == application.id).order_by(Finding.id)
        )
    ).all()
    photos = await photos_of(session, [f.id for f in findings])
    certificate = await session.scalar(
        select(Certificate).where(Certificate.application_id == application.id)
    )
    role = Role(viewer.role)
    candidates = (
        await reviewer_candidates(session, application)
        if role is Role.admin and application.state == State.accepted
        else []
    )
    return page(
        request,
        "shared/application.html",
        status_code=status_code,
        application=application,
        enterprise=enterprise,
        reviewers=reviewers,
        comparison=comparison,
        hazards=hazards,
        events=events,
        actors=actors,
        certificate=certificate,
        candidates=candidates,
        errors=errors or [],
        findings=findings,
        photos=photos,
        max_upload=request.app.state.settings.max_upload_bytes,
        levels=("general", "major"),
        actions=allowed_actions(State(application.state), role),
        with_reason=WITH_REASON,
        today=request.app.state.clock(),
        composed=comparison.own.composed,
    )


async def _reviewers(session: AsyncSession, application: Application) -> list[User]:
    """The reviewers assigned in the current cycle, in the order of their assignment."""
    assignments = await reviewers_of(session, application, application.cycle)
    people = {
        u.id: u
        for u in await session.scalars(
            select(User).where(User.id.in_({a.reviewer_id for a in assignments}))
        )
    }
    return [people[a.reviewer_id] for a in assignments if a.reviewer_id in people]


async def _history(
    session: AsyncSession, application: Application
) -> tuple[Sequence[Event], dict[UUID, str]]:
    """The application's audit events, oldest first, and the names of their actors."""
    events = (
        await session.scalars(
            select(Event).where(Event.application_id == application.id).order_by(Event.id)
        )
    ).all()
    actors = {
        u.id: u.name
        for u in await session.scalars(
            select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        )
    }
    return events, actors


async def on_application(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    engine: Engine,
    viewer: User,
    found: Application,
    body: Any,
    errors: list[str],
    operation: Callable[[Context], Awaitable[Any]],
    anchor: str = "",
) -> Redirect | Template:
    """Run a service operation on a valid form and go back to the application; a refusal
    (or the form's errors) is shown on the application page and nothing is kept."""
    if body is not None:
        try:
            await operation(Context(session, engine, viewer, request.app.state.clock(), body))
            await session.commit()
            return see_other(f"/applications/{found.id}{anchor}")
        except AnbiaoError as exc:
            await session.rollback()
            await session.refresh(found)
            errors = error_lines(exc, i18n.negotiate(request))
    return await application_page(
        request, session, engine, viewer, found, status_code=409, errors=errors
    )


@get("/applications/{application_id:uuid}", guards=ANYONE)
async def application(
    request: Request[Any, Any, Any],
    application_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template:
    found = await get_application(db_session, viewer, application_id)
    return await application_page(request, db_session, engine, viewer, found)


@post("/applications/{application_id:uuid}/act/{action:str}", guards=ANYONE, status_code=303)
async def act(
    request: Request[Any, Any, Any],
    application_id: FromPath[UUID],
    action: FromPath[str],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Redirect | Template:
    """Take a workflow action from the page; a refusal is shown on the page, nothing changes."""
    found = await get_application(db_session, viewer, application_id)
    form = await form_data(request)
    lang = i18n.negotiate(request)
    body, errors = validate(
        ActionIn,
        {
            "version": int(form.get("version") or 0),
            "reason": form.get("reason", ""),
            "items": [
                i
                for i in str(form.get("items", "")).replace("，", ",").replace("\n", ",").split(",")
                if i.strip()
            ],
            "reviewer_ids": as_list(form.get("reviewer_ids")),
        },
        lang,
    )
    return await on_application(
        request,
        db_session,
        engine,
        viewer,
        found,
        body,
        errors,
        lambda ctx: transition(ctx, found, action),
    )


@post(
    "/applications/{application_id:uuid}/findings",
    guards=[signed_in(Role.reviewer)],
    status_code=303,
)
async def record_finding(
    request: Request[Any, Any, Any],
    application_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Redirect | Template:
    """A reviewer's finding (评审发现的问题), tied to an item or element or not at all."""
    found = await get_application(db_session, viewer, application_id)
    form = await form_data(request)
    lang = i18n.negotiate(request)
    body, errors = validate(
        FindingIn,
        {
            "text": form.get("text", ""),
            "level": form.get("level", "general"),
            "item_id": form.get("item_id", ""),
            "location": form.get("location", ""),
        },
        lang,
    )
    return await on_application(
        request,
        db_session,
        engine,
        viewer,
        found,
        body,
        errors,
        lambda ctx: findings.record_finding(ctx, found),
        "#findings",
    )


@post(
    "/applications/{application_id:uuid}/findings/{finding_id:uuid}/withdraw",
    guards=[signed_in(Role.reviewer)],
    status_code=303,
)
async def withdraw_finding(
    request: Request[Any, Any, Any],
    application_id: FromPath[UUID],
    finding_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Redirect:
    """Its author withdraws an open finding while the review is under way."""
    found, finding = await get_finding(db_session, viewer, application_id, finding_id)
    if finding.author_id != viewer.id:
        raise coded(PermissionDeniedException(), Message("finding.author_only"))
    form = await form_data(request)
    body = FindingWithdraw(version=int(form.get("version") or 0))
    await findings.withdraw_finding(
        Context(db_session, engine, viewer, request.app.state.clock(), body), found, finding
    )
    await db_session.commit()
    return see_other(f"/applications/{found.id}#findings")


@post("/assessments/{assessment_id:uuid}/apply", guards=ENTERPRISE, status_code=303)
async def apply(
    assessment_id: FromPath[UUID],
    viewer: NamedDependency[User],
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Redirect:
    """Open an application for this self-assessment and submit it (the gate decides)."""
    assessment = await own_assessment(db_session, viewer, assessment_id)
    application = await db_session.scalar(
        select(Application).where(
            Application.assessment_id == assessment.id, Application.state.in_(("draft", "returned"))
        )
    )
    if application is None:
        application = await create_application(db_session, engine, viewer, assessment)
    ctx = Context(
        db_session, engine, viewer, request.app.state.clock(), ActionIn(version=application.version)
    )
    await transition(ctx, application, "submit")
    await db_session.commit()
    return see_other(f"/applications/{application.id}")


HANDLERS = [application, act, record_finding, withdraw_finding, apply]
