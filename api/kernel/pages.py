"""Pages: one Jinja environment over every slice's templates (i18n, autoescape, domain labels),
the page helper, HTML error pages and the pages' security headers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar import Request, Response
from litestar.datastructures import ResponseHeader
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.params import QueryParameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig
from pydantic import ValidationError

from anbiao.api.kernel import i18n, limits
from anbiao.api.kernel.errors import (
    Conflict,
    Rejected,
    StaleVersion,
    http_problem,
    status_coded,
)
from anbiao.api.kernel.forms import problem
from anbiao.api.kernel.sqlite import DatabaseBusy
from anbiao.core.engine import Engine
from anbiao.core.errors import AnbiaoError, Message
from anbiao.core.size_class import SizeSector


@pass_context
def label(context: Context, code: str | None) -> str:
    lang = context.get("lang", i18n.DEFAULT)
    return i18n.t(lang, "未作答") if code is None else i18n.name(lang, code)


@pass_context
def localized(context: Context, text: Any) -> str:
    """A content ``LocalizedText`` (or a coded or bilingual service message) in the page's
    language."""
    lang = context.get("lang", i18n.DEFAULT)
    if isinstance(text, Message):
        return i18n.message(lang, text)
    if hasattr(text, "get"):
        found: str = text.get(lang)
        return found
    return i18n.bilingual(str(text), lang)


@pass_context
def industry(context: Context, code: str) -> str:
    """An industry's title from the catalog (the code when no plugin registers it)."""
    found = context["catalog"].industries.get(code)
    return found.title.get(context.get("lang", i18n.DEFAULT)) if found else code


def day(value: date | datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value[:10]
    return value.strftime("%Y-%m-%d %H:%M" if isinstance(value, datetime) else "%Y-%m-%d")


def environment(directories: list[Path]) -> Environment:
    """The pages' environment over the kernel's and every slice's template folder; a missing or
    misspelled variable is an error (``StrictUndefined``), never an empty string."""
    env = Environment(
        loader=FileSystemLoader(directories),
        autoescape=select_autoescape(),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # added to the environment by the i18n extension at run time, unknown to its type hints
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(label=label, localized=localized, day=day, industry=industry)
    env.globals["limits"] = limits  # maxlength attributes from the API's own limits
    return env


def template_config(directories: list[Path]) -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment(directories)))


# Who is signed in, as the templates read it (``me.role``…): nobody has every key set to None.
ANONYMOUS = {"uid": None, "role": None, "name": None}


def page(
    request: Request[Any, Any, Any], name: str, status_code: int = 200, **context: Any
) -> Template:
    """A page (or, for htmx, a fragment) in the request's language."""
    session = request.scope.get("session")
    return Template(
        template_name=name,
        status_code=status_code,
        context={
            "lang": i18n.negotiate(request),
            "me": {**ANONYMOUS, **(session if isinstance(session, dict) else {})},
            "catalog": request.app.state.engine.catalog,
            **context,
        },
    )


def see_other(path: str) -> Redirect:
    """303 See Other: after a form post, the browser GETs the next page."""
    return Redirect(path, status_code=303)


def to_login(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[Any]:
    target = f"/login?next={request.url.path}"
    if request.headers.get("hx-request"):
        return Response(None, status_code=204, headers={"HX-Redirect": target})
    return Redirect(target)


API_PATHS = ("/api/", "/schema")  # answered with problem documents; every other path is the site


def unrouted(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """A request no route answers (404, 405): under the API a problem document, anywhere else
    the site's error page, in the page's language (a mistyped address is a person's)."""
    if request.url.path.startswith(API_PATHS):
        return http_problem(exc).to_response(request)
    response = error_page(request, exc)
    response.headers.update(exc.headers or {})  # a 405's ``Allow`` (RFC 9110 §15.5.6)
    response.headers.update({h.name: str(h.value) for h in SECURITY_HEADERS})  # as the site's
    return response


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """An HTML error (a fragment for htmx): the message in the page's language, no traceback."""
    lang = i18n.negotiate(request)
    status, reasons = 500, []
    # Litestar's own HTTP errors (no route, wrong method…) read as their status's coded message
    message = i18n.describe(status_coded(exc) if isinstance(exc, HTTPException) else exc, lang)
    if isinstance(exc, HTTPException):
        status = exc.status_code
    elif isinstance(exc, StaleVersion | Conflict):
        status = 409
    elif isinstance(exc, Rejected):
        status, reasons = 422, exc.reasons
    elif isinstance(exc, ValidationError):  # a form refused by the API's own model
        status = 422
        message = i18n.t(lang, "输入有误")
        reasons = [problem(error, lang) for error in exc.errors()]
    elif isinstance(exc, DatabaseBusy):
        status = 503
    elif isinstance(exc, AnbiaoError):
        status = 422
    else:
        request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
        message = i18n.message(lang, Message("server.internal"))
    template = (
        "shared/error_fragment.html" if request.headers.get("hx-request") else "shared/error.html"
    )
    return page(
        request,
        template,
        status_code=status,
        status=status,
        message=message,
        reasons=[i18n.message(lang, r) for r in reasons],
    )


# Pages load only their own assets: no CDN, no inline scripts, no framing (clickjacking).
SECURITY_HEADERS = [
    ResponseHeader(
        name="Content-Security-Policy",
        value=(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'"
        ),
    ),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
]


NextPath = Annotated[str | None, QueryParameter(name="next", max_length=500)]


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a local path: never redirect a user to another site after sign-in."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or urlsplit(target).netloc
    ):
        return default
    return target


def catalog_choices(engine: Engine) -> dict[str, Any]:
    catalog = engine.catalog
    return {
        "industries": sorted(catalog.industries.values(), key=lambda i: i.id),
        "hazard_flags": sorted(catalog.hazards.values(), key=lambda h: h.id),
        "size_sectors": [s.value for s in SizeSector],
    }
