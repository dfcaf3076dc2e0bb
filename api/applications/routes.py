"""Review applications (评审申请): list, read, act on, score, compare, audit trail."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.security import requires
from anbiao.api.applications.queue import LISTED, Filters, application_page
from anbiao.api.applications.review import (
    Comparison,
    compare,
    conflicts,
    reviewed_before,
    save_review,
)
from anbiao.api.applications.rules import Context, current_reviewers
from anbiao.api.applications.schemas import ActionIn, ApplicationOut, ComparisonOut, ReviewIn
from anbiao.api.applications.service import ONE_WRITE_ACTIONS, create_application, transition
from anbiao.api.applications.workflow import CONCLUSIONS, Action, allowed_actions
from anbiao.api.kernel import i18n
from anbiao.api.kernel.access import (
    get_application,
    get_application_and_assignments,
    get_application_and_reviewers,
    get_assessment,
)
from anbiao.api.kernel.db import ONE_WRITE, read_connection
from anbiao.api.kernel.listing import (
    FormatQuery,
    Industry,
    Limit,
    Offset,
    Region,
    audit_trail,
    listing,
)
from anbiao.api.kernel.models import Application, Enterprise, Event, Role, State, User
from anbiao.api.kernel.schemas import EventOut, Page
from anbiao.core.engine import Engine


def _view(
    application: Application, role: Role, reviewers: list[UUID], today: date
) -> dict[str, Any]:
    return {
        **{c: getattr(application, c) for c in LISTED},
        "overdue": application.due_on is not None and today > application.due_on,
        "allowed_actions": allowed_actions(State(application.state), role),
        "reviewers": reviewers,
    }


def application_view(
    request: Request[User, Any, Any], application: Application, reviewers: list[UUID]
) -> ApplicationOut:
    """The caller's view of ``application``; ``reviewers``: its current cycle's."""
    user, today = request.user, request.app.state.clock()
    return ApplicationOut.model_validate(_view(application, Role(user.role), reviewers, today))


async def reviewer_candidates(
    session: AsyncSession, application: Application
) -> list[dict[str, Any]]:
    """Every reviewer with the conflicts that would refuse them for this application."""
    enterprise = await session.get_one(Enterprise, application.enterprise_id)
    query = select(User).where(User.role == Role.reviewer.value).order_by(User.name)
    earlier = await reviewed_before(session, application)
    return [
        {
            "id": str(r.id),
            "name": r.name,
            "domains": r.domains,
            "employer": r.employer,
            "conflicts": conflicts(r, enterprise, earlier),
        }
        for r in await session.scalars(query)
    ]


class ApplicationController(Controller):
    path = "/api/v1/applications"
    tags = ("applications",)

    @get("/", operation_id="listApplications")
    async def list_applications(
        self,
        request: Request[User, Any, Any],
        state_filter: Annotated[str | None, QueryParameter(name="state", max_length=32)] = None,
        region: Region = None,
        industry: Industry = None,
        submitted_from: Annotated[date | None, QueryParameter(name="submittedFrom")] = None,
        submitted_to: Annotated[date | None, QueryParameter(name="submittedTo")] = None,
        overdue: FromQuery[bool | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
        fmt: FormatQuery = "json",
    ) -> Page[ApplicationOut]:
        """Applications the caller may see: a reviewer's queue, an authority's region."""
        filters = Filters(state_filter, region, industry, submitted_from, submitted_to, overdue)
        today = request.app.state.clock()
        async with read_connection(request) as connection:
            data = await application_page(connection, request.user, filters, today, limit, offset)
        return listing(data, Page[ApplicationOut], fmt, "applications")

    @get("/{application_id:uuid}", operation_id="getApplication")
    async def get_one(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
    ) -> ApplicationOut:
        found = await get_application_and_reviewers(db_session, request.user, application_id)
        return application_view(request, *found)

    @post(
        "/{application_id:uuid}/actions/{action:str}",
        operation_id="applyAction",
        status_code=200,
        opt={ONE_WRITE: lambda params: params["action"] in ONE_WRITE_ACTIONS},
    )
    async def act(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        action: FromPath[str],
        data: JSONBody[ActionIn],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> ApplicationOut:
        """Take a workflow action; an illegal one is 409 naming the allowed actions."""
        assignments = None
        if action in CONCLUSIONS:  # it scores the assignments: read with the application
            application, assignments = await get_application_and_assignments(
                db_session, request.user, application_id
            )
            reviewers = sorted(a.reviewer_id for a in assignments)
        else:
            application, reviewers = await get_application_and_reviewers(
                db_session, request.user, application_id
            )
        today = request.app.state.clock()
        ctx = Context(db_session, engine, request.user, today, data, assignments)
        await transition(ctx, application, action)
        assigned = data.reviewer_ids if action == Action.assign else ()
        return application_view(
            request, application, current_reviewers(application, reviewers, assigned)
        )

    @put(
        "/{application_id:uuid}/review",
        operation_id="saveReview",
        guards=[requires(Role.reviewer)],
        opt={ONE_WRITE: lambda params: True},  # the scores and their audit event (save_review)
    )
    async def review(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        data: JSONBody[ReviewIn],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> ComparisonOut:
        """Record this reviewer's item scores (merged into the earlier ones); answers the
        comparison's totals and the rows of the items this save changed (every row:
        ``GET …/comparison``)."""
        application, assignments = await get_application_and_assignments(
            db_session, request.user, application_id
        )
        ctx = Context(db_session, engine, request.user, request.app.state.clock(), data)
        _, changed = await save_review(ctx, application, assignments)
        return _comparison_out(await compare(db_session, engine, application, changed, assignments))

    @get("/{application_id:uuid}/comparison", operation_id="getComparison")
    async def comparison(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> ComparisonOut:
        """Self-assessment against the reviewers' scores (current cycle), item by item."""
        application = await get_application(db_session, request.user, application_id)
        return _comparison_out(await compare(db_session, engine, application))

    @get(
        "/{application_id:uuid}/candidates",
        operation_id="listReviewerCandidates",
        guards=[requires(Role.admin)],
    )
    async def candidates(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
    ) -> list[dict[str, Any]]:
        """Reviewers of the region with the conflicts that would refuse them (in the language of
        ``Accept-Language``)."""
        application = await get_application(db_session, request.user, application_id)
        lang = i18n.accepted(request)
        return [
            {**c, "conflicts": [i18n.message(lang, m) for m in c["conflicts"]]}
            for c in await reviewer_candidates(db_session, application)
        ]

    @get("/{application_id:uuid}/events", operation_id="listApplicationEvents")
    async def events(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        limit: Limit = 50,
        offset: Offset = 0,
        fmt: FormatQuery = "json",
    ) -> Page[EventOut]:
        """The audit trail of one application, oldest first."""
        application = await get_application(db_session, request.user, application_id)
        return await audit_trail(
            db_session, Event.application_id == application.id, limit, offset, fmt
        )


def _comparison_out(compared: Comparison) -> ComparisonOut:
    return ComparisonOut.model_validate({**compared.totals(), "items": compared.items})


@post(
    "/api/v1/assessments/{assessment_id:uuid}/applications",
    operation_id="createApplication",
    tags=["assessments"],
    guards=[requires(Role.enterprise)],
    status_code=201,
    opt={ONE_WRITE: lambda params: True},  # the application and its audit event
)
async def open_application(
    request: Request[User, Any, Any],
    assessment_id: FromPath[UUID],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> ApplicationOut:
    """Open a draft application (评审申请) for this self-assessment."""
    assessment = await get_assessment(db_session, request.user, assessment_id)
    application = await create_application(db_session, engine, request.user, assessment)
    return application_view(request, application, [])  # a draft: no reviewer yet
