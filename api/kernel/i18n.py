"""Languages of the browser UI: Simplified Chinese by default, English on request.

Messages are written in Chinese where they are used (``_("自评")`` in templates, :func:`t` in
code); ``locales/en.yaml`` maps each to English. A test checks that every message has one.
The language comes from the ``anbiao_lang`` cookie, else from ``Accept-Language``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Request

from anbiao.api.kernel.messages import SERVICE
from anbiao.core.errors import Message, register_messages

Lang = Literal["zh-CN", "en"]
LANGS: tuple[Lang, ...] = ("zh-CN", "en")
DEFAULT: Lang = "zh-CN"
COOKIE = "anbiao_lang"
LOCALES = Path(__file__).parent / "locales"


@lru_cache
def catalog(lang: str) -> dict[str, str]:
    """Chinese message → translation; Chinese itself needs none."""
    if lang == DEFAULT:
        return {}
    return yaml.safe_load((LOCALES / f"{lang}.yaml").read_text("utf-8")) or {}


def t(lang: str, message: str, **values: Any) -> str:
    """``message`` in ``lang`` (the Chinese text when there is no translation)."""
    text = catalog(lang).get(message, message)
    return text.format(**values) if values else text


# Display names of codes (Chinese; English through the catalog like any other message).
NAMES: dict[str, str] = {
    # application states (申请状态)
    "draft": "草稿",
    "submitted": "已提交",
    "returned": "退回补正",
    "withdrawn": "已撤回",
    "accepted": "已受理",
    "under_review": "评审中",
    "rectification": "整改中",
    "reviewed_pass": "评审通过",
    "reviewed_fail": "评审不通过",
    "publicity": "公示中",
    "certified": "已发证",
    "rejected": "不予通过",
    "expired": "已过期",
    "revoked": "已撤销",
    # actions
    "submit": "提交申请",
    "withdraw": "撤回申请",
    "accept": "受理",
    "return": "退回补正",
    "assign": "指派评审员",
    "conclude_pass": "评审结论：通过",
    "conclude_rectify": "评审结论：限期整改",
    "conclude_fail": "评审结论：不通过",
    "submit_rectification": "提交整改",
    "approve": "审定通过并公示",
    "record_objection": "记录公示异议",
    "reject": "不予通过",
    "certify": "发证",
    "revoke": "撤销证书",
    "expire": "证书到期",
    # answers (自评结果)
    "compliant": "符合",
    "partial": "部分符合",
    "non_compliant": "不符合",
    "na": "不涉及",
    # hazards (隐患)
    "open": "待整改",
    "rectifying": "整改中",
    "closed": "已销号",
    "valid": "有效",
    "general": "一般隐患",
    "major": "重大隐患",
    "self": "自查",
    "review": "评审",
    "raised": "已转为隐患",
    # size-rule sectors (划型行业)
    "industrial": "工业",
    "wholesale": "批发业",
    "retail": "零售业",
    "warehousing": "仓储业",
    "transport": "交通运输业",
    "accommodation_catering": "住宿业、餐饮业",
    # checklist packs (清单类型) and audit-trail actions not named above
    "base": "基础清单",
    "industry": "行业清单",
    "hazard_module": "专项清单",
    "overlay": "地方细则",
    "created": "创建申请",
    "scored": "评审评分",
    "photo_added": "添加现场照片",
    "photo_removed": "删除现场照片",
    # roles
    "enterprise": "企业",
    "reviewer": "评审员",
    "admin": "主管部门",
    # size classes (企业规模)
    "large": "大型",
    "medium": "中型",
    "small": "小型",
    "micro": "微型",
}


# The engine's coded messages (``anbiao.core.errors.MESSAGES``) in Chinese, with the same
# parameters; English through the catalog like any other message.
CODES: dict[str, str] = {
    "answer.unknown_item": "{item}：该检查项不在本次组成的检查表中",
    "answer.not_applicable_item": "{item}：该检查项不适用于本企业",
    "answer.na_not_allowed": "{item}：该检查项不能选“不涉及”",
    "answer.na_with_deductions": "{item}：选“不涉及”时不能勾选扣分项",
    "answer.unknown_deduction": "{item}：没有扣分项“{deduction}”（可选：{defined}）",
    "answer.deduction_once": "{item}：扣分项“{deduction}”只能选一次，不能选 {times} 次",
    "answer.compliant_with_deductions": "{item}：选“符合”时不能勾选扣分项",
    "answer.veto_partial": "{item}：否决项只能选“符合”或“不符合”，不能选“部分符合”",
    "answer.partial_needs_deduction": "{item}：选“部分符合”时请至少勾选一项扣分项",
    "answer.deductions_need_status": "{item}：勾选扣分项前请先选择自评结果",
    "answer.more": "（另有 {n} 个问题）",
    "scoring.no_plugin": "没有插件为本次自评计分（default_scoring 是否被停用？）",
    "eligibility.incomplete": "自评未完成：{unanswered} 项未作答",
    "eligibility.below_threshold": "得分率 {percentage}% 低于申请条件 {threshold}%",
    "eligibility.veto": "否决项不符合：{items}",
    "eligibility.deaths": "近 12 个月死亡 {value} 人，超过 {limit} 人",
    "eligibility.serious_injuries": "近 12 个月重伤 {value} 人，超过 {limit} 人",
    "eligibility.direct_loss": "近 12 个月直接经济损失 {value} 万元，超过 {limit} 万元",
    "profile.unknown_industry": "未知行业“{industry}”（可选：{expected}）",
    "profile.unknown_hazard": "未知专项“{hazard}”（可选：{expected}）",
    "profile.issue": "{field}：{text}",
    "uscc.check_digit": "校验码不符（应为 {expected}），可能是早期试点代码，予以接受，待评审员确认",
    # the service's own (api/kernel/messages.py)
    **SERVICE,
}
register_messages({code: t("en", text) for code, text in SERVICE.items()})


def message(lang: str, coded: Message | str) -> str:
    """A coded message in ``lang``, from its code and parameters: a state's (an action's, a
    role's) code reads as its name, a list as its entries, a "中文 / English" parameter (e.g. a
    plugin's text) as its ``lang`` half, a coded one in ``lang``. Plain text (an item id, a
    finding) is shown as it is."""
    if isinstance(coded, str):
        return coded
    if coded.code not in CODES:
        return str(coded)
    return t(lang, CODES[coded.code], **{k: _param(lang, k, v) for k, v in coded.params.items()})


def _param(lang: str, key: str, value: Any) -> str:
    if isinstance(value, Message):  # a message inside a message: a reviewer's conflict
        return message(lang, value)
    if isinstance(value, list | tuple):  # e.g. the allowed actions
        return ("、" if lang == DEFAULT else ", ").join(_param(lang, key, v) for v in value) or "-"
    if key.endswith(("state", "action", "actions", "role", "roles")):
        return name(lang, str(value))
    return bilingual(str(value), lang)


CODES_BEGIN = "<!-- BEGIN message codes: generated by `anbiao messages docs` -->"
CODES_END = "<!-- END message codes -->"


def codes_table() -> str:
    """Every message code with its Chinese and English text, as a Markdown table (docs/api.md)."""
    rows = [
        f"| `{code}` | {text} | {t('en', text)} |".replace("{", "`{").replace("}", "}`")
        for code, text in sorted(CODES.items())
    ]
    return "\n".join(["| code | 中文 | English |", "|---|---|---|", *rows])


def describe(error: BaseException, lang: str) -> str:
    """What went wrong, in ``lang``: coded messages from the catalog, else the ``lang`` half of
    a bilingual message."""
    coded: tuple[Message, ...] = getattr(error, "messages", ())
    if coded:
        return ("；" if lang == DEFAULT else "; ").join(message(lang, m) for m in coded)
    return bilingual(str(getattr(error, "detail", None) or error), lang)


def name(lang: str, code: str) -> str:
    """A code's display name: states, actions (``application.submit`` → submit), levels…"""
    key = code.rsplit(".", 1)[-1]
    return t(lang, NAMES[key]) if key in NAMES else key.replace("_", " ")


def bilingual(text: str, lang: str) -> str:
    """The ``lang`` half of a service message written as "中文 / English"."""
    zh, sep, en = text.partition(" / ")
    if not sep:
        return text
    return en if lang == "en" else zh


def negotiate(request: Request[Any, Any, Any]) -> Lang:
    """The cookie's language, else the first of ``Accept-Language`` we speak, else Chinese."""
    chosen = request.cookies.get(COOKIE)
    for lang in LANGS:
        if chosen == lang:
            return lang
    return accepted(request)


def accepted(request: Request[Any, Any, Any]) -> Lang:
    """The first language of ``Accept-Language`` we speak, else Chinese (the JSON API's rule)."""
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return DEFAULT
        if tag.startswith("en"):
            return "en"
    return DEFAULT


@pass_context
def gettext(context: Context, message: str) -> str:
    return t(context.get("lang", DEFAULT), message)


@pass_context
def ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return t(context.get("lang", DEFAULT), singular if n == 1 else plural)
