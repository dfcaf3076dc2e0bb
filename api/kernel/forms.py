"""Reading HTML forms into the API's own input models, and their errors into readable lines.

The models apply the same limits and text rule as the API; the one change a form makes is the
browser's: a textarea's line breaks arrive as CR LF (HTML form encoding) and become LF again."""

from __future__ import annotations

from typing import Any

from litestar import Request
from pydantic import BaseModel, ValidationError

from anbiao.api.kernel.i18n import bilingual, describe, t

# Form field → its label, for error messages (translated through the catalog).
FIELD_LABELS = {
    "email": "电子邮箱",
    "password": "密码",
    "name": "联系人姓名",
    "enterprise_name": "企业名称",
    "consultant": "咨询机构",
    "uscc": "统一社会信用代码",
    "region": "行政区划代码",
    "industry": "行业",
    "hazards": "专项",
    "employees": "从业人员",
    "annual_revenue_10k": "营业收入（万元）",
    "size_sector": "划型行业",
    "deaths": "死亡人数",
    "serious_injuries": "重伤人数",
    "direct_loss_10k": "直接经济损失（万元）",
    "reason": "原因",
    "version": "版本",
    "note": "备注",
    "text": "问题描述",
    "item_id": "检查项",
    "element": "要素",
    "location": "位置",
    "owner": "责任人",
    "measures": "整改措施",
    "resources": "所需资源/资金",
    "evidence": "整改证据",
    "items": "重新打开的检查项",
    "reviewer_ids": "评审员",
}


async def form_data(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The submitted form; repeated fields (check boxes) become lists."""
    form = await request.form()
    return {
        key: (values if len(values := [_lf(v) for v in form.getall(key)]) > 1 else values[0])
        for key in form
        if key != "_csrf_token"
    }


def _lf(value: Any) -> Any:
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, list) else [value]


def profile_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """The profile fields of a sign-up or profile form, as the API's ``Profile`` reads them."""
    return {
        "uscc": form.get("uscc", ""),
        "name": form.get("enterprise_name", ""),
        "region": form.get("region", ""),
        "industry": form.get("industry", ""),
        "hazards": as_list(form.get("hazards")),
        "employees": _number(form.get("employees")),
        "annual_revenue_10k": form.get("annual_revenue_10k") or "0",
        "size_sector": form.get("size_sector") or "industrial",
        "accidents_12m": {
            "deaths": _number(form.get("deaths")),
            "serious_injuries": _number(form.get("serious_injuries")),
            "direct_loss_10k": form.get("direct_loss_10k") or "0",
        },
    }


def _number(value: Any) -> Any:
    """Whole numbers as int (the models refuse strings for counts); anything else as typed."""
    if value in (None, ""):
        return 0
    return int(value) if str(value).isdigit() else value


def validate(
    model: type[BaseModel], data: dict[str, Any], lang: str, *, inside: str = ""
) -> tuple[Any, list[str]]:
    """The model, or None with one readable line per problem (``inside``: the field the model
    fills in a larger form, e.g. ``profile``)."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [
            problem({**error, "loc": (inside, *error["loc"]) if inside else error["loc"]}, lang)
            for error in exc.errors()
        ]


# Pydantic's error types as "中文 / English" messages (its own messages are English only).
MESSAGES = {
    "missing": "必填 / required",
    "string_too_short": "至少 {min_length} 个字符 / at least {min_length} characters",
    "string_too_long": "最多 {max_length} 个字符 / at most {max_length} characters",
    "string_pattern_mismatch": "格式不正确 / not in the expected format",
    "too_long": "最多 {max_length} 项 / at most {max_length} entries",
    "int_parsing": "请填写整数 / a whole number is needed",
    "int_from_float": "请填写整数 / a whole number is needed",
    "decimal_parsing": "请填写数字 / a number is needed",
    "float_parsing": "请填写数字 / a number is needed",
    "greater_than_equal": "不能小于 {ge} / at least {ge}",
    "less_than_equal": "不能大于 {le} / at most {le}",
    "literal_error": "不是可选的值 / not one of the choices",
    "enum": "不是可选的值 / not one of the choices",
}


def problem(error: Any, lang: str) -> str:
    """One validation error as "label: message" in ``lang``; the enterprise's name in a profile
    is 企业名称 (``name`` alone is the contact's)."""
    loc = [str(p) for p in error["loc"]]
    field = next((p for p in reversed(loc) if p in FIELD_LABELS), None)
    if field == "name" and "profile" in loc:
        field = "enterprise_name"
    ctx = error.get("ctx") or {}
    if error["type"] in MESSAGES:
        message = MESSAGES[error["type"]].format(**ctx)
    else:
        message = str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
    message = bilingual(message, lang)
    return f"{t(lang, FIELD_LABELS[field])}: {message}" if field else message


def error_lines(exc: Exception, lang: str) -> list[str]:
    """A refusal from the services as lines for the page: the message, then its reasons."""
    return [describe(exc, lang), *(bilingual(r, lang) for r in getattr(exc, "reasons", []))]
