"""Report downloads (报告下载): the self-assessment report (自评报告), its action plan
(整改计划) and the review report (评审报告) as PDF or XLSX, and the certificate (证书) as PDF,
in Chinese or English.

Who may download follows ``anbiao.api.kernel.access``: a foreign object is 404. PDFs are rendered
in a worker process (``anbiao.api.reports.render.pdf_off_loop``), so other requests stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import FromPath, PathParameter, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.security import requires
from anbiao.api.kernel.access import get_application, get_assessment, get_enterprise, not_found
from anbiao.api.kernel.i18n import Lang
from anbiao.api.kernel.models import Certificate, Role, User
from anbiao.api.kernel.uploads import content_disposition
from anbiao.api.reports import context as report_context
from anbiao.api.reports import render
from anbiao.core.engine import Engine

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"pdf": PDF, "xlsx": XLSX}

ReportFormat = Annotated[
    Literal["pdf", "xlsx"],
    QueryParameter(name="format", description="pdf (A4, embedded fonts) or xlsx (Excel workbook)."),
]
ReportLang = Annotated[
    Lang,
    QueryParameter(description="Language of the labels: zh-CN (default) or en."),
]


def _binary(*media_types: str) -> type[Operation]:
    """An OpenAPI operation whose 200 response is a file download of one of ``media_types``."""

    @dataclass
    class BinaryOperation(Operation):
        def __post_init__(self) -> None:
            schema = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            ok = (self.responses or {}).get("200")
            if ok is not None and hasattr(ok, "content"):
                ok.description = "报告文件（附件下载）/ the report file, as an attachment"
                ok.content = {m: OpenAPIMediaType(schema=schema) for m in media_types}

    return BinaryOperation


def _download(content: bytes, fmt: str, filename: str, fallback: str) -> Response[bytes]:
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": content_disposition(f"{filename}.{fmt}", f"{fallback}.{fmt}"),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


async def _render(session: AsyncSession, context: dict[str, Any], fmt: str) -> bytes:
    # end the read transaction first: on SQLite (BEGIN IMMEDIATE) it would hold the write lock
    # for as long as the PDF renders, and other writers would time out
    await session.commit()
    if fmt == "pdf":
        return await render.pdf_off_loop(context)
    return await render.xlsx_off_loop(context)


async def assessment_download(
    session: AsyncSession,
    engine: Engine,
    user: User,
    assessment_id: UUID,
    fmt: str,
    lang: Lang,
    today: date,
    kind: Literal["assessment", "plan"] = "assessment",
) -> Response[bytes]:
    """The self-assessment report (or its action plan, 整改计划) of an assessment ``user`` may
    read, as a download."""
    assessment = await get_assessment(session, user, assessment_id)
    build = report_context.plan_report if kind == "plan" else report_context.assessment_report
    context = await build(session, engine, assessment, lang=lang, today=today)
    name = context["enterprise"]
    fallback = "action-plan" if kind == "plan" else "self-assessment"
    return _download(
        await _render(session, context, fmt),
        fmt,
        f"{context['title']}-{name['name']}-{today}",
        f"{fallback}-{name['uscc']}-{today}",
    )


async def application_download(
    session: AsyncSession,
    engine: Engine,
    user: User,
    application_id: UUID,
    fmt: str,
    lang: Lang,
    today: date,
) -> Response[bytes]:
    """The review report of an application ``user`` may see, as a download."""
    application = await get_application(session, user, application_id)
    context = await report_context.application_report(
        session, engine, application, lang=lang, today=today
    )
    name = context["enterprise"]
    return _download(
        await _render(session, context, fmt),
        fmt,
        f"{context['title']}-{name['name']}-{today}",
        f"review-{name['uscc']}-{today}",
    )


async def certificate_download(
    session: AsyncSession, user: User, number: str, lang: Lang, today: date, base_url: str
) -> Response[bytes]:
    """The certificate PDF, for its enterprise and the admins of its region (else 404)."""
    certificate = await session.scalar(select(Certificate).where(Certificate.number == number))
    if certificate is None:
        raise not_found("证书 certificate")
    try:
        await get_enterprise(session, user, certificate.enterprise_id)
    except NotFoundException as exc:  # another enterprise's, or outside the admin's region
        raise not_found("证书 certificate") from exc
    context = await report_context.certificate_report(
        session, certificate, base_url=base_url, lang=lang, today=today
    )
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in certificate.number)
    return _download(
        await _render(session, context, "pdf"),
        "pdf",
        f"{context['title']}-{certificate.number}",
        f"certificate-{safe}",
    )


@get(
    "/api/v1/assessments/{assessment_id:uuid}/report",
    operation_id="getAssessmentReport",
    guards=[requires(Role.enterprise, Role.admin)],
    tags=["reports"],
    media_type=PDF,
    operation_class=_binary(PDF, XLSX),
)
async def assessment_report(
    request: Request[User, Any, Any],
    assessment_id: FromPath[UUID],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
    fmt: ReportFormat = "pdf",
    lang: ReportLang = "zh-CN",
) -> Response[bytes]:
    """自评报告: profile, checklists, score, elements, vetoes, items with deductions and reasons
    (扣分点及原因说明汇总表) and hazards with their rectification; the enterprise and its admins."""
    return await assessment_download(
        db_session, engine, request.user, assessment_id, fmt, lang, request.app.state.clock()
    )


@get(
    "/api/v1/assessments/{assessment_id:uuid}/action-plan/report",
    operation_id="getActionPlanReport",
    guards=[requires(Role.enterprise, Role.admin)],
    tags=["reports"],
    media_type=PDF,
    operation_class=_binary(PDF, XLSX),
)
async def action_plan_report(
    request: Request[User, Any, Any],
    assessment_id: FromPath[UUID],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
    fmt: ReportFormat = "pdf",
    lang: ReportLang = "zh-CN",
) -> Response[bytes]:
    """整改计划: the action plan of a self-assessment (the rows of ``getActionPlan``) with the
    enterprise's profile; the enterprise and its admins."""
    return await assessment_download(
        db_session,
        engine,
        request.user,
        assessment_id,
        fmt,
        lang,
        request.app.state.clock(),
        kind="plan",
    )


@get(
    "/api/v1/applications/{application_id:uuid}/report",
    operation_id="getApplicationReport",
    tags=["reports"],
    media_type=PDF,
    operation_class=_binary(PDF, XLSX),
)
async def application_report(
    request: Request[User, Any, Any],
    application_id: FromPath[UUID],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
    fmt: ReportFormat = "pdf",
    lang: ReportLang = "zh-CN",
) -> Response[bytes]:
    """评审报告: the self-assessment, the reviewers' scores and the item-by-item comparison,
    conclusion, state and audit dates; for everyone who may see the application."""
    return await application_download(
        db_session, engine, request.user, application_id, fmt, lang, request.app.state.clock()
    )


@get(
    "/api/v1/certificates/{number:str}/pdf",
    operation_id="getCertificatePdf",
    guards=[requires(Role.enterprise, Role.admin)],
    tags=["certificates"],
    media_type=PDF,
    operation_class=_binary(PDF),
)
async def certificate_pdf(
    request: Request[User, Any, Any],
    number: Annotated[str, PathParameter(max_length=40)],
    db_session: NamedDependency[AsyncSession],
    lang: ReportLang = "zh-CN",
) -> Response[bytes]:
    """The certificate as a PDF with a QR code of its public verification page; for the
    enterprise and the admins of its region (anyone else: the JSON verification)."""
    return await certificate_download(
        db_session,
        request.user,
        number,
        lang,
        request.app.state.clock(),
        request.app.state.settings.public_url,
    )


REPORT_HANDLERS = [assessment_report, action_plan_report, application_report, certificate_pdf]
