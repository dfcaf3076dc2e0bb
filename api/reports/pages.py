"""Report downloads from the pages: the same files as the API's, in the page's language."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.sessions import signed_in
from anbiao.api.kernel.i18n import negotiate
from anbiao.api.kernel.models import Role, User
from anbiao.api.reports.routes import (
    application_download,
    assessment_download,
    certificate_download,
)
from anbiao.core.engine import Engine

Format = Literal["pdf", "xlsx"]


@get("/assessments/{assessment_id:uuid}/report/{fmt:str}", guards=[signed_in(Role.enterprise)])
async def assessment_report(
    request: Request[Any, Any, Any],
    assessment_id: FromPath[UUID],
    fmt: FromPath[Format],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Response[bytes]:
    """自评报告 as PDF or XLSX."""
    return await assessment_download(
        db_session,
        engine,
        viewer,
        assessment_id,
        fmt,
        negotiate(request),
        request.app.state.clock(),
    )


@get("/assessments/{assessment_id:uuid}/plan/report/{fmt:str}", guards=[signed_in(Role.enterprise)])
async def plan_report(
    request: Request[Any, Any, Any],
    assessment_id: FromPath[UUID],
    fmt: FromPath[Format],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Response[bytes]:
    """整改计划 as PDF or XLSX."""
    return await assessment_download(
        db_session,
        engine,
        viewer,
        assessment_id,
        fmt,
        negotiate(request),
        request.app.state.clock(),
        kind="plan",
    )


@get("/applications/{application_id:uuid}/report/{fmt:str}", guards=[signed_in()])
async def application_report(
    request: Request[Any, Any, Any],
    application_id: FromPath[UUID],
    fmt: FromPath[Format],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Response[bytes]:
    """评审报告 as PDF or XLSX."""
    return await application_download(
        db_session,
        engine,
        viewer,
        application_id,
        fmt,
        negotiate(request),
        request.app.state.clock(),
    )


@get("/certificates/{number:str}/pdf", guards=[signed_in(Role.enterprise, Role.admin)])
async def certificate_pdf(
    request: Request[Any, Any, Any],
    number: FromPath[str],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
) -> Response[bytes]:
    """The certificate with its verification QR code."""
    return await certificate_download(
        db_session,
        viewer,
        number,
        negotiate(request),
        request.app.state.clock(),
        request.app.state.settings.public_url,
    )


HANDLERS = [assessment_report, plan_report, application_report, certificate_pdf]
