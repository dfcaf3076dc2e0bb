"""The action plan page (整改计划): every row a small form (measures, owner, deadline, resources,
state) that posts on its own and comes back with 303; no JavaScript needed. A stale row (409)
shows what is saved now and keeps what was typed; a refused one shows why, in the page's
language."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.sessions import ENTERPRISE
from anbiao.api.assessments.hazards import MOVES, HazardUpdate, update_hazard
from anbiao.api.assessments.pages import own_assessment
from anbiao.api.assessments.plan import PlanRow, action_plan
from anbiao.api.kernel import i18n
from anbiao.api.kernel.access import get_hazard
from anbiao.api.kernel.errors import StaleVersion
from anbiao.api.kernel.forms import error_lines, form_data, validate
from anbiao.api.kernel.models import Assessment, Role, User
from anbiao.api.kernel.pages import page, see_other
from anbiao.core.engine import Engine
from anbiao.core.errors import AnbiaoError

EDITABLE = ("open", "rectifying")  # afterwards the hazard waits for, or has had, verification
FIELDS = ("measures", "owner", "deadline", "resources")


def moves(row: PlanRow) -> list[str]:
    """The states the enterprise may choose for ``row``: its own and where it may move it
    (submitting for verification needs evidence, recorded on the hazards page)."""
    targets = [b for a, b in sorted(MOVES[Role.enterprise]) if a == row["state"]]
    return [row["state"], *(s for s in targets if s != "submitted" or row["evidence"])]


async def _render(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    engine: Engine,
    viewer: User,
    assessment: Assessment,
    status_code: int = 200,
    **state: Any,
) -> Template:
    composed = engine.profile_of(assessment.profile)[1]
    rows = await action_plan(
        session,
        assessment,
        composed,
        lang=i18n.negotiate(request),
        today=request.app.state.clock(),
        user=viewer,
    )
    return page(
        request,
        "enterprise/plan.html",
        status_code=status_code,
        assessment=assessment,
        rows=rows,
        moves={str(r["hazard_id"]): moves(r) for r in rows},
        editable=EDITABLE,
        **{"saved": "", "typed": {}, "errors": {}, "conflict": "", **state},
    )


@get("/assessments/{assessment_id:uuid}/plan", guards=ENTERPRISE)
async def plan(
    request: Request[Any, Any, Any],
    assessment_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
    saved: FromQuery[str] = "",
) -> Template:
    """The plan of a self-assessment, each row editable while it is being rectified."""
    assessment = await own_assessment(db_session, viewer, assessment_id)
    return await _render(request, db_session, engine, viewer, assessment, saved=saved[:40])


@post("/assessments/{assessment_id:uuid}/plan/{hazard_id:uuid}", guards=ENTERPRISE, status_code=303)
async def plan_update(
    request: Request[Any, Any, Any],
    assessment_id: FromPath[UUID],
    hazard_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Redirect | Template:
    """Save one row: 303 back to the plan; 409 (changed meanwhile) or 422 (refused) re-renders
    the plan with the row as typed."""
    assessment = await own_assessment(db_session, viewer, assessment_id)
    hazard = await get_hazard(db_session, viewer, hazard_id)
    form = await form_data(request)
    lang = i18n.negotiate(request)
    typed = {key: str(form.get(key, "")) for key in (*FIELDS, "state")}
    data = {
        **typed,
        "deadline": typed["deadline"] or None,
        "state": typed["state"] or None,
        "version": form.get("version") or None,
    }
    body, errors = validate(HazardUpdate, data, lang)
    status, conflict = 422, ""
    if body is not None:
        try:
            await update_hazard(db_session, viewer, hazard, body)
            await db_session.commit()
            where = f"/assessments/{assessment.id}/plan?saved={hazard.id}#plan-{hazard.id}"
            return see_other(where)
        except AnbiaoError as exc:  # refused before writing; a 4xx response commits nothing
            errors = error_lines(exc, lang)
            if isinstance(exc, StaleVersion):
                status, conflict = 409, str(hazard_id)
    return await _render(
        request,
        db_session,
        engine,
        viewer,
        assessment,
        status_code=status,
        typed={str(hazard_id): typed},
        errors={str(hazard_id): errors},
        conflict=conflict,
    )


HANDLERS = [plan, plan_update]
