"""Reading HTML forms into the API's own input models, and their errors into readable lines."""

from __future__ import annotations

from typing import Any

from litestar import Request
from pydantic import BaseModel, ValidationError

from anbiao.api.kernel.i18n import bilingual, t

# Form field → its label, for error messages (translated through the catalog).
FIELD_LABELS = {
    "email": "电子邮箱",
    "password": "密码",
    "name": "联系人姓名",
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
}


async def form_data(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The submitted form; repeated fields (check boxes) become lists."""
    form = await request.form()
    return {
        key: (values if len(values := form.getall(key)) > 1 else values[0])
        for key in form
        if key != "_csrf_token"
    }


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


def validate(model: type[BaseModel], data: dict[str, Any], lang: str) -> tuple[Any, list[str]]:
    """The model, or None with one readable line per problem."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [problem(error, lang) for error in exc.errors()]


def problem(error: Any, lang: str) -> str:
    field = next((str(p) for p in reversed(error["loc"]) if str(p) in FIELD_LABELS), None)
    message = str(error.get("ctx", {}).get("error") or error["msg"])
    message = bilingual(message.removeprefix("Value error, "), lang)
    return f"{t(lang, FIELD_LABELS[field])}: {message}" if field else message


def error_lines(exc: Exception, lang: str) -> list[str]:
    """A refusal from the services as lines for the page: the message, then its reasons."""
    return [bilingual(str(exc), lang), *(bilingual(r, lang) for r in getattr(exc, "reasons", []))]
