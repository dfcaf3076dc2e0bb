"""Languages of the browser UI: Simplified Chinese by default, English on request.

Messages are written in Chinese where they are used (``_("自评")`` in templates, :func:`t` in
code); ``locales/en.yaml`` maps each to English. A test checks that every message has one.
The language comes from the ``anbiao_lang`` cookie, else from ``Accept-Language``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Request

LANGS = ("zh-CN", "en")
DEFAULT = "zh-CN"
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


def bilingual(text: str, lang: str) -> str:
    """The ``lang`` half of a service message written as "中文 / English"."""
    zh, sep, en = text.partition(" / ")
    if not sep:
        return text
    return en if lang == "en" else zh


def negotiate(request: Request[Any, Any, Any]) -> str:
    """The cookie's language, else the first of ``Accept-Language`` we speak, else Chinese."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
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
