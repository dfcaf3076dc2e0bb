"""The self-assessment's hazards in the browser (隐患清单): the list each viewer may see, and the
closed loop's steps (the enterprise rectifies and submits, a reviewer or admin verifies)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.sessions import ANYONE
from anbiao.api.assessments.hazards import HazardUpdate, update_hazard
from anbiao.api.kernel import i18n
from anbiao.api.kernel.access import assessment_visible, get_hazard, scope_hazards
from anbiao.api.kernel.errors import StaleVersion
from anbiao.api.kernel.forms import error_lines, form_data, validate
from anbiao.api.kernel.models import Assessment, Hazard, Role, User
from anbiao.api.kernel.pages import page, safe_next, see_other
from anbiao.core.errors import AnbiaoError


async def plan_link(session: AsyncSession, viewer: User) -> str:
    """The action plan of the enterprise's latest self-assessment ("" for other roles)."""
    if viewer.role != Role.enterprise:
        return ""
    latest = await session.scalar(
        select(Assessment.id)
        .where(assessment_visible(viewer))
        .order_by(Assessment.created_at.desc())
        .limit(1)
    )
    return f"/assessments/{latest}/plan" if latest else ""


@get("/hazards", guards=ANYONE)
async def hazards(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    """The hazards the viewer may see, open ones first, with their closed loop."""
    rows = (
        await db_session.scalars(
            scope_hazards(select(Hazard), viewer).order_by(
                Hazard.state == "closed", Hazard.level.desc(), Hazard.deadline, Hazard.created_at
            )
        )
    ).all()
    return page(
        request,
        "shared/hazards.html",
        hazards=rows,
        errors=[],
        today=request.app.state.clock(),
        plan=await plan_link(db_session, viewer),
    )


@post("/hazards/{hazard_id:uuid}", guards=ANYONE, status_code=303)
async def hazard_update(
    request: Request[Any, Any, Any],
    hazard_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
) -> Redirect | Template:
    """The enterprise records rectification and submits it; a reviewer or admin verifies."""
    hazard = await get_hazard(db_session, viewer, hazard_id)
    form = await form_data(request)
    lang = i18n.negotiate(request)
    data: dict[str, Any] = {"state": form.get("state") or None, "version": form.get("version")}
    if viewer.role == Role.enterprise:
        data |= {
            "owner": form.get("owner", ""),
            "measures": form.get("measures", ""),
            "deadline": form.get("deadline") or None,
            "evidence": [
                e.strip() for e in str(form.get("evidence", "")).splitlines() if e.strip()
            ],
        }
    body, errors = validate(HazardUpdate, data, lang)
    status = 422
    if body is not None:
        try:
            await update_hazard(db_session, viewer, hazard, body)
            await db_session.commit()
            return see_other(safe_next(form.get("back"), "/hazards"))
        except AnbiaoError as exc:  # refused before writing; a 4xx response commits nothing
            errors = error_lines(exc, lang)
            status = 409 if isinstance(exc, StaleVersion) else 422
    rows = (await db_session.scalars(scope_hazards(select(Hazard), viewer))).all()
    return page(
        request,
        "shared/hazards.html",
        status_code=status,
        hazards=rows,
        errors=errors,
        today=request.app.state.clock(),
        plan=await plan_link(db_session, viewer),
    )


HANDLERS = [hazards, hazard_update]
