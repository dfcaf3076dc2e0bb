"""The Litestar application: ``create_app(settings)`` assembles routes, database, auth, errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import (
    SQLAlchemyPlugin,
)
from litestar import Litestar, Router
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from anbiao.api.accounts import pages as account_pages
from anbiao.api.accounts.routes import AuthController
from anbiao.api.accounts.security import AccountCache, make_jwt_auth
from anbiao.api.accounts.sessions import csrf_config, provide_viewer, session_config
from anbiao.api.applications import pages as application_pages
from anbiao.api.applications import photo_pages, review_pages
from anbiao.api.applications.finding_routes import FindingController
from anbiao.api.applications.photo_routes import FindingPhotoController
from anbiao.api.applications.routes import ApplicationController, open_application
from anbiao.api.applications.workflow import IllegalTransition
from anbiao.api.assessments import hazard_pages, plan_pages
from anbiao.api.assessments import pages as assessment_pages
from anbiao.api.assessments.evidence import EvidenceController
from anbiao.api.assessments.hazards import HazardController
from anbiao.api.assessments.routes import AssessmentController, EnterpriseAssessmentController
from anbiao.api.certificates import pages as certificate_pages
from anbiao.api.certificates.routes import verify_certificate
from anbiao.api.enterprises import pages as enterprise_pages
from anbiao.api.enterprises.routes import EnterpriseController, SignUpController
from anbiao.api.kernel import sqlite
from anbiao.api.kernel.bodies import BoundedRequest
from anbiao.api.kernel.collector import tune_collector
from anbiao.api.kernel.db import (
    db_config,
    mark_reads,
    note_status,
    provide_db_session,
    provide_write_connection,
)
from anbiao.api.kernel.errors import (
    Conflict,
    Rejected,
    StaleVersion,
    http_problem,
    internal_error,
    invalid_input,
    jsonable,
    problem,
    problem_response,
)
from anbiao.api.kernel.openapi import finish as finish_openapi
from anbiao.api.kernel.pages import (
    SECURITY_HEADERS,
    error_page,
    template_config,
    to_login,
    unrouted,
)
from anbiao.api.kernel.responses import ModelResponse
from anbiao.api.kernel.settings import Settings, get_settings
from anbiao.api.kernel.system import health, ready
from anbiao.api.reports import pages as report_pages
from anbiao.api.reports.render import shutdown_report_pool
from anbiao.api.reports.routes import REPORT_HANDLERS
from anbiao.api.statistics import pages as statistics_pages
from anbiao.api.statistics.routes import StatisticsController
from anbiao.core.engine import Engine
from anbiao.core.errors import AnbiaoError

HERE = Path(__file__).parent
# The slices in the order of the data flow: their pages, and the templates those pages render.
SLICES = (
    "accounts",
    "enterprises",
    "assessments",
    "applications",
    "certificates",
    "statistics",
    "reports",
)
TEMPLATE_DIRS = [HERE / "kernel" / "templates", *(HERE / s / "templates" for s in SLICES)]
PAGES = [
    *account_pages.HANDLERS,
    *enterprise_pages.HANDLERS,
    *assessment_pages.HANDLERS,
    *hazard_pages.HANDLERS,
    *plan_pages.HANDLERS,
    *application_pages.HANDLERS,
    *photo_pages.HANDLERS,
    *review_pages.HANDLERS,
    *certificate_pages.HANDLERS,
    *statistics_pages.HANDLERS,
    *report_pages.HANDLERS,
]
# The JSON API (the pages are in ui_router).
API_HANDLERS: list[ControllerRouterHandler] = [
    health,
    ready,
    verify_certificate,
    AuthController,
    SignUpController,
    EnterpriseController,
    EnterpriseAssessmentController,
    AssessmentController,
    ApplicationController,
    HazardController,
    StatisticsController,
    EvidenceController,
    FindingController,
    FindingPhotoController,
    open_application,
    *REPORT_HANDLERS,
]


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Callable[[], date] = date.today,
    create_all: bool = False,
) -> Litestar:
    """The anbiao service. Tests pass settings, a clock and ``create_all``."""
    settings = settings or get_settings()
    engine = engine or Engine.from_plugins()
    jwt_auth = make_jwt_auth(settings)
    database = db_config(settings, create_all=create_all)
    app = Litestar(
        route_handlers=[*API_HANDLERS, ui_router(), static_files_router()],
        plugins=[SQLAlchemyPlugin(config=database), problem_details()],
        on_app_init=[jwt_auth.on_app_init],
        on_startup=[tune_collector],
        on_shutdown=[shutdown_report_pool],
        before_request=mark_reads,
        after_request=note_status,
        dependencies={
            "engine": Provide(lambda: engine, use_cache=True, sync_to_thread=False),
            "db_session": Provide(provide_db_session),
            "db_connection": Provide(provide_write_connection),
        },
        exception_handlers={
            Exception: internal_error,
            NotFoundException: unrouted,
            MethodNotAllowedException: unrouted,
        },
        openapi_config=openapi_config(),
        middleware=[session_config(settings).middleware],
        template_config=template_config(TEMPLATE_DIRS),
        csrf_config=csrf_config(settings),
        request_class=BoundedRequest,
        request_max_body_size=settings.max_upload_bytes,
        response_class=ModelResponse,
        debug=settings.debug,
    )
    finish_openapi(app, engine)
    app.state.settings = settings
    app.state.db_config = database
    app.state.jwt_auth = jwt_auth
    app.state.accounts = AccountCache(settings.account_cache_seconds)
    app.state.engine = engine
    app.state.clock = clock
    return app


def problem_details() -> ProblemDetailsPlugin:
    """Domain errors as RFC 9457 problem documents: status, detail (in the request's language)
    and the facts to act on."""
    problem_map: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
        ValidationException: invalid_input,
        sqlite.DatabaseBusy: problem(503),
        StaleVersion: problem(409, extra=lambda e: {"current": jsonable(e.current)}),
        IllegalTransition: problem(409, extra=lambda e: {"allowed_actions": e.allowed}),
        Conflict: problem(409),
        Rejected: problem(422, extra=lambda e: {"reasons": e.reasons}),
        AnbiaoError: problem(422),
        HTTPException: http_problem,
    }
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_handler=problem_response,
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map=problem_map,
        )
    )


def openapi_config() -> OpenAPIConfig:
    """The schema at /schema, with Swagger UI served from our own static files."""
    return OpenAPIConfig(
        title="anbiao 安标 API",
        version="1",
        description="工贸小微企业安全生产标准化自评与评审 / self-assessment and review service",
        path="/schema",
        render_plugins=[
            SwaggerRenderPlugin(
                js_url="/static/swagger/swagger-ui-bundle.js",
                css_url="/static/swagger/swagger-ui.css",
                standalone_preset_js_url="/static/swagger/swagger-ui-standalone-preset.js",
                favicon="",
            )
        ],
    )


def static_files_router() -> Router:
    return create_static_files_router(
        path="/static",
        directories=[HERE / "kernel" / "static"],
        opt={"exclude_from_auth": True},
        include_in_schema=False,
    )


def ui_router() -> Router:
    return Router(
        path="/",
        route_handlers=PAGES,
        dependencies={"viewer": Provide(provide_viewer)},
        # every class the app maps to problem documents, so pages answer in HTML instead
        exception_handlers={
            NotAuthorizedException: to_login,
            **dict.fromkeys(
                (
                    HTTPException,
                    StaleVersion,
                    Conflict,
                    Rejected,
                    sqlite.DatabaseBusy,
                    AnbiaoError,
                    Exception,
                ),
                error_page,
            ),
        },
        response_headers=SECURITY_HEADERS,
        include_in_schema=False,
        opt={"exclude_from_auth": True},
    )


__all__ = ["TEMPLATE_DIRS", "create_app"]
