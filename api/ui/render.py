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

# Display names of codes (translated through the catalog like any other message).
LABELS: dict[str, str] = {
    # application states (申请状态)
    "draft": "草稿", "submitted": "已提交", "returned": "退回补正", "withdrawn": "已撤回",
    "accepted": "已受理", "under_review": "评审中", "rectification": "整改中",
    "reviewed_pass": "评审通过", "reviewed_fail": "评审不通过", "publicity": "公示中",
    "certified": "已发证", "rejected": "不予通过", "expired": "已过期", "revoked": "已撤销",
    # actions
    "submit": "提交申请", "withdraw": "撤回申请", "accept": "受理", "return": "退回补正",
    "assign": "指派评审员", "conclude_pass": "评审结论：通过", "conclude_rectify": "评审结论：限期整改",
    "conclude_fail": "评审结论：不通过", "submit_rectification": "提交整改",
    "approve": "审定通过并公示", "record_objection": "记录公示异议", "reject": "不予通过",
    "certify": "发证", "revoke": "撤销证书", "expire": "证书到期",
    # answers (自评结果)
    "compliant": "符合", "partial": "部分符合", "non_compliant": "不符合", "na": "不涉及",
    # hazards (隐患)
    "open": "待整改", "rectifying": "整改中", "closed": "已销号", "valid": "有效", "general": "一般隐患", "major": "重大隐患",
    "self": "自查", "review": "评审", "raised": "已转为隐患",
    # size-rule sectors (划型行业)
    "industrial": "工业", "wholesale": "批发业", "retail": "零售业", "warehousing": "仓储业",
    "transport": "交通运输业", "accommodation_catering": "住宿业、餐饮业",
    # roles
    "enterprise": "企业", "reviewer": "评审员", "admin": "主管部门",
    # size classes (企业规模)
    "large": "大型", "medium": "中型", "small": "小型", "micro": "微型",
}


@pass_context
def label(context: Context, code: str | None) -> str:
    if code is None:
        return i18n.t(context.get("lang", i18n.DEFAULT), "未作答")
    return i18n.t(context.get("lang", i18n.DEFAULT), LABELS.get(code, code))


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
