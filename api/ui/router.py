"""The browser UI as one router: sessions, the signed-in viewer, HTML error pages."""

from __future__ import annotations

from typing import Any

from anbiao.api.services import Conflict, Rejected, StaleVersion
from anbiao.api.sqlite import DatabaseBusy
from anbiao.api.ui import i18n
from anbiao.api.ui.auth import provide_viewer
from anbiao.api.ui.pages import admin, enterprise, public, reports, review, shared
from anbiao.api.ui.render import page
from anbiao.api.workflow import IllegalTransition
from anbiao.core.errors import AnbiaoError
from litestar import Request, Response, Router
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect


def _to_login(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[Any]:
    target = f"/login?next={request.url.path}"
    if request.headers.get("hx-request"):
        return Response(None, status_code=204, headers={"HX-Redirect": target})
    return Redirect(target)


def _error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """An HTML error (a fragment for htmx): the message in the page's language, no traceback."""
    lang = i18n.negotiate(request)
    status, reasons = 500, []
    if isinstance(exc, HTTPException):
        status, message = exc.status_code, str(exc.detail)
    elif isinstance(exc, IllegalTransition | StaleVersion | Conflict):
        status, message = 409, str(exc)
    elif isinstance(exc, Rejected):
        status, message, reasons = 422, str(exc), exc.reasons
    elif isinstance(exc, DatabaseBusy):
        status, message = 503, str(exc)
    elif isinstance(exc, AnbiaoError):
        status, message = 422, str(exc)
    else:
        request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
        message = "内部错误 / internal error"
    template = "shared/error_fragment.html" if request.headers.get("hx-request") else "shared/error.html"
    return page(request, template, status_code=status, status=status,
                message=i18n.bilingual(message, lang),
                reasons=[i18n.bilingual(r, lang) for r in reasons])


# Pages load only their own assets: no CDN, no inline scripts, no framing (clickjacking).
SECURITY_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'")),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
]


def ui_router() -> Router:
    return Router(
        path="/",
        route_handlers=[*public.HANDLERS, *enterprise.HANDLERS, *shared.HANDLERS,
                        *review.HANDLERS, *admin.HANDLERS, *reports.HANDLERS],
        dependencies={"viewer": Provide(provide_viewer)},
        # every class the app maps to problem documents, so pages answer in HTML instead
        exception_handlers={NotAuthorizedException: _to_login, **dict.fromkeys(
            (HTTPException, StaleVersion, IllegalTransition, Conflict, Rejected, DatabaseBusy,
             AnbiaoError, Exception), _error_page)},
        response_headers=SECURITY_HEADERS,
        include_in_schema=False,
        opt={"exclude_from_auth": True},
    )

