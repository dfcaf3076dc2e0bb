"""The Litestar application: ``create_app(settings)`` assembles routes, database, auth, errors."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    AsyncSessionConfig,
    EngineConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar, MediaType, Request, Response
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.serialization import default_serializer
from litestar.static_files import create_static_files_router
from litestar.types import Serializer
from pydantic import BaseModel
from pydantic_core import to_json
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api import sqlite
from anbiao.api.db import READ_ONLY, SAFE_METHODS, request_session
from anbiao.api.openapi import finish as finish_openapi
from anbiao.api.routes.applications import ApplicationController
from anbiao.api.routes.assessments import AssessmentController
from anbiao.api.routes.auth import AuthController
from anbiao.api.routes.certificates import verify_certificate
from anbiao.api.routes.enterprises import EnterpriseController
from anbiao.api.routes.evidence import EvidenceController
from anbiao.api.routes.findings import FindingController
from anbiao.api.routes.hazards import HazardController
from anbiao.api.routes.reports import REPORT_HANDLERS
from anbiao.api.routes.statistics import StatisticsController
from anbiao.api.routes.system import health, ready
from anbiao.api.security import AccountCache, make_jwt_auth
from anbiao.api.services import Conflict, Rejected, StaleVersion
from anbiao.api.settings import Settings, get_settings
from anbiao.api.ui.auth import csrf_config, session_config
from anbiao.api.ui.render import template_config
from anbiao.api.ui.reports import shutdown_report_pool
from anbiao.api.ui.router import ui_router
from anbiao.api.workflow import IllegalTransition
from anbiao.core.engine import Engine
from anbiao.core.errors import AnbiaoError

HERE = Path(__file__).parent
MIGRATIONS = HERE / "migrations"


def db_config(settings: Settings, *, create_all: bool = False) -> SQLAlchemyAsyncConfig:
    config = SQLAlchemyAsyncConfig(
        connection_string=settings.database_url,
        before_send_handler=None,  # close only: provide_db_session commits before sending
        session_dependency_key="request_session",  # handlers take db_session (provide_db_session)
        session_config=AsyncSessionConfig(expire_on_commit=False),
        engine_config=_engine_config(settings),
        create_all=create_all,
        alembic_config=AlembicAsyncConfig(script_location=str(MIGRATIONS),
                                          version_table_name="alembic_versions"),
    )
    if settings.database_url.startswith("sqlite"):
        sqlite.tune(config.get_engine().sync_engine)
    return config


def _engine_config(settings: Settings) -> EngineConfig:
    """A fixed pool: requests past it wait for a connection instead of opening one that is
    closed again when returned (PostgreSQL: a TCP and TLS handshake per request). In-memory
    SQLite keeps its single connection."""
    if make_url(settings.database_url).database in (None, "", ":memory:"):
        return EngineConfig()
    return EngineConfig(pool_size=settings.database_pool_size,
                        max_overflow=settings.database_max_overflow)


async def _mark_reads(request: Request[Any, Any, Any]) -> None:
    """Safe requests only read: their SQLite transactions take no write lock (async: the
    context variable must be set in the request's own task, not in a worker thread)."""
    READ_ONLY.set(request.method in SAFE_METHODS)


_STATUS: ContextVar[int] = ContextVar("anbiao_response_status", default=0)


async def _note_status(response: Any) -> Any:
    """After the handler: the status its response will have (read by ``provide_db_session``);
    a response without one takes its route's, a success (failures are raised, not returned)."""
    _STATUS.set(getattr(response, "status_code", None) or 200)
    return response


async def provide_db_session(
    request: Request[Any, Any, Any],
) -> AsyncGenerator[AsyncSession, None]:
    """The request's session. Once the handler has succeeded, a 2xx response's writes are
    committed before it is sent, other responses' writes flushed (and then rolled back): a write
    or COMMIT the database refuses (a unique number taken by a concurrent request, a broken
    reference, a lost connection) becomes an error response, never a success whose changes are
    gone (advanced-alchemy's autocommit handler commits as the response starts, logs a failed
    COMMIT at debug level and sends the 2xx). Its default handler closes the session after."""
    session = await request_session(request.app.state, request.scope)
    yield session
    if 200 <= _STATUS.get() < 300:
        await session.commit()
    else:
        await session.flush()


class ModelResponse(Response[Any]):
    """A pydantic model is written to JSON by pydantic-core in one pass. Litestar's default
    dumps it to Python objects and encodes those again: most of a large response's time."""

    def render(self, content: Any, media_type: str, enc_hook: Serializer = default_serializer
               ) -> bytes:
        if isinstance(content, BaseModel) and media_type == MediaType.JSON:
            return to_json(content)
        return super().render(content, media_type, enc_hook)


def _problem(status: int, *, extra: Callable[[Any], dict[str, Any]] | None = None):
    def convert(exc: AnbiaoError) -> ProblemDetailsException:
        return ProblemDetailsException(status_code=status, detail=str(exc),
                                       extra=extra(exc) if extra else None)

    return convert


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Any unexpected error: a problem document, never a traceback."""
    request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return ProblemDetailsException(
        status_code=500, detail="内部错误 / internal error").to_response(request)


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
    problem_map = {
        sqlite.DatabaseBusy: _problem(503),
        StaleVersion: _problem(409, extra=lambda e: {"current": _jsonable(e.current)}),
        IllegalTransition: _problem(409, extra=lambda e: {"allowed_actions": e.allowed}),
        Conflict: _problem(409),
        Rejected: _problem(422, extra=lambda e: {"reasons": e.reasons}),
        AnbiaoError: _problem(422),
    }
    app = Litestar(
        route_handlers=[
            health, ready, verify_certificate, AuthController, EnterpriseController,
            AssessmentController, ApplicationController, HazardController, StatisticsController,
            EvidenceController, FindingController, *REPORT_HANDLERS, ui_router(),
            create_static_files_router(path="/static", directories=[HERE / "static",
                                                                    HERE / "ui" / "static"],
                                       opt={"exclude_from_auth": True}, include_in_schema=False),
        ],
        plugins=[
            SQLAlchemyPlugin(config=database),
            ProblemDetailsPlugin(ProblemDetailsConfig(
                enable_for_all_http_exceptions=True, exception_to_problem_detail_map=problem_map)),
        ],
        on_app_init=[jwt_auth.on_app_init],
        on_shutdown=[shutdown_report_pool],
        before_request=_mark_reads,
        after_request=_note_status,
        dependencies={"engine": Provide(lambda: engine, use_cache=True, sync_to_thread=False),
                      "db_session": Provide(provide_db_session)},
        exception_handlers={Exception: _internal_error},
        openapi_config=OpenAPIConfig(
            title="anbiao 安标 API",
            version="1",
            description="工贸小微企业安全生产标准化自评与评审 / self-assessment and review service",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(
                js_url="/static/swagger/swagger-ui-bundle.js",
                css_url="/static/swagger/swagger-ui.css",
                standalone_preset_js_url="/static/swagger/swagger-ui-standalone-preset.js",
                favicon="",
            )],
        ),
        middleware=[session_config(settings).middleware],
        template_config=template_config(),
        csrf_config=csrf_config(settings),
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


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


__all__ = ["create_app", "db_config"]
