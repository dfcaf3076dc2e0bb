"""Templates: one Jinja environment (i18n, autoescape, domain labels) and the page helper."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from anbiao.api.ui import i18n
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

TEMPLATES = Path(__file__).parent / "templates"

@pass_context
def label(context: Context, code: str | None) -> str:
    lang = context.get("lang", i18n.DEFAULT)
    return i18n.t(lang, "未作答") if code is None else i18n.name(lang, code)


@pass_context
def localized(context: Context, text: Any) -> str:
    """A content ``LocalizedText`` (or a bilingual service message) in the page's language."""
    lang = context.get("lang", i18n.DEFAULT)
    if hasattr(text, "get"):
        return text.get(lang)
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


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(label=label, localized=localized, day=day, industry=industry)
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


def page(request: Request[Any, Any, Any], name: str, status_code: int = 200,
         **context: Any) -> Template:
    """A page (or, for htmx, a fragment) in the request's language."""
    session = request.scope.get("session") or {}
    return Template(template_name=name, status_code=status_code, context={
        "lang": i18n.negotiate(request), "me": session, "catalog": request.app.state.engine.catalog,
        **context})


def see_other(path: str) -> Redirect:
    """303 See Other: after a form post, the browser GETs the next page."""
    return Redirect(path, status_code=303)
