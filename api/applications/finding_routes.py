"""Reviewer findings (评审发现的问题) of an application: record, list, withdraw.

A finding is free text a reviewer records during the review, optionally tied to an item or an
element; when the review concludes it becomes a hazard
(``anbiao.api.applications.findings.raise_findings``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.security import requires
from anbiao.api.applications import findings
from anbiao.api.applications.rules import Context
from anbiao.api.applications.schemas import FindingIn, FindingOut, FindingWithdraw
from anbiao.api.kernel.access import get_application, get_finding
from anbiao.api.kernel.errors import coded
from anbiao.api.kernel.listing import FormatQuery, Limit, Offset, listing, page
from anbiao.api.kernel.models import Finding, Role, User
from anbiao.api.kernel.schemas import Page
from anbiao.core.engine import Engine
from anbiao.core.errors import Message


class FindingController(Controller):
    path = "/api/v1/applications/{application_id:uuid}/findings"
    tags = ("applications",)

    @post("/", operation_id="recordFinding", guards=[requires(Role.reviewer)])
    async def record(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        data: JSONBody[FindingIn],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> FindingOut:
        """Record a finding in the current review round (an assigned reviewer, under review)."""
        application = await get_application(db_session, request.user, application_id)
        ctx = Context(db_session, engine, request.user, request.app.state.clock(), data)
        return FindingOut.model_validate(await findings.record_finding(ctx, application))

    @get("/", operation_id="listFindings")
    async def list_findings(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        state_filter: Annotated[
            Literal["open", "withdrawn", "raised"] | None, QueryParameter(name="state")
        ] = None,
        level: Annotated[Literal["general", "major"] | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
        fmt: FormatQuery = "json",
    ) -> Page[FindingOut]:
        """The findings of an application (all rounds, oldest first), for whoever sees it."""
        application = await get_application(db_session, request.user, application_id)
        query = select(Finding).where(Finding.application_id == application.id)
        if state_filter:
            query = query.where(Finding.state == state_filter)
        if level:
            query = query.where(Finding.level == level)
        data = await page(
            db_session, query.order_by(Finding.id), limit, offset, FindingOut.model_validate
        )
        return listing(data, Page[FindingOut], fmt, "findings")

    @post(
        "/{finding_id:uuid}/withdraw",
        operation_id="withdrawFinding",
        status_code=200,
        guards=[requires(Role.reviewer)],
    )
    async def withdraw(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        finding_id: FromPath[UUID],
        data: JSONBody[FindingWithdraw],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> FindingOut:
        """Withdraw one's own open finding while the review is under way (``version`` as read)."""
        application, finding = await get_finding(
            db_session, request.user, application_id, finding_id
        )
        if finding.author_id != request.user.id:
            raise coded(PermissionDeniedException(), Message("finding.author_only"))
        ctx = Context(db_session, engine, request.user, request.app.state.clock(), data)
        return FindingOut.model_validate(await findings.withdraw_finding(ctx, application, finding))
