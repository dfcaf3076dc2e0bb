"""A page-level test client (signs in through the forms, posts with the page's CSRF token) and
the render check every page and report passes (:func:`page_problems`, :func:`pdf_problems`,
:func:`xlsx_problems`)."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterable, Iterator
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from support_api import FUZHOU, PASSWORD

# The enterprise profile as the sign-up and profile forms send it (the Fuzhou machinery workshop).
PROFILE_FORM = {
    "enterprise_name": FUZHOU["name"],
    "uscc": FUZHOU["uscc"],
    "region": FUZHOU["region"],
    "industry": "machinery",
    "employees": "20",
    "annual_revenue_10k": "500",
    "size_sector": "industrial",
    "deaths": "0",
    "serious_injuries": "0",
    "direct_loss_10k": "0",
}

_TOKEN = re.compile(r'"x-csrftoken": "([^"]+)"')


class Pages:
    """Browses the UI as one user at a time (cookies: session, CSRF, language)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.token = ""

    def get(self, path: str, expect: int = 200, **kw: Any) -> str:
        r = self.client.get(path, **kw)
        assert r.status_code == expect, f"GET {path}: {r.status_code} {r.text[:2000]}"
        if found := _TOKEN.search(r.text):
            self.token = found.group(1)
        return r.text

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        expect: int = 303,
        htmx: bool = False,
        **kw: Any,
    ) -> Any:
        headers = {"x-csrftoken": self.token} if htmx else {}
        if htmx:
            headers["hx-request"] = "true"
        body = {**(data or {})} if htmx else {"_csrf_token": self.token, **(data or {})}
        r = self.client.post(path, data=body, headers=headers, follow_redirects=False, **kw)
        assert r.status_code == expect, f"POST {path}: {r.status_code} {r.text[:3000]}"
        return r

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.client.cookies.clear()
        self.get("/login")
        self.post("/login", {"email": email, "password": password})

    def sign_up(self, email: str, expect: int = 303, lang: str = "", **profile: Any) -> Any:
        self.client.cookies.clear()
        if lang:
            self.client.cookies.set("anbiao_lang", lang)
        self.get("/signup")
        form = {
            "name": "安全员",
            "email": email,
            "password": PASSWORD,
            **PROFILE_FORM,
            "hazards": ["dust_explosion"],
            **profile,
        }
        return self.post("/signup", form, expect=expect)


def ids(pattern: str, html: str) -> list[str]:
    return re.findall(pattern, html)


# --- the render check: no Python internals, no template syntax, no None, one language ------------

# What a template leaks when it reads the wrong thing: a method (``t.items`` on a dict), an object
# without a display form, or template syntax that was never rendered.
LEAKS = ("<built-in", "<bound method", "object at 0x", "{{", "}}", "{%", "%}")
NONE = re.compile(r"(?<![A-Za-z])None(?![A-Za-z]| [a-z])")  # not "None of the five rooms…"
# Where a text joins labels; Chinese punctuation only in Chinese (in English it is within
# untranslated item texts, which may quote a label).
SEPARATORS = {
    "zh-CN": re.compile(r"\s*(?:·|：|:|，|,|；|;|、|/|\||（|）|\(|\)|→|←|—|\n)\s*"),
    "en": re.compile(r"\s*(?:·|:|,|;|/|\||\(|\)|→|←|—|\n)\s*"),
}
ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,})+")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "legend", "summary", "caption", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SHOWN = {"title", "alt", "placeholder", "aria-label", "aria-valuetext"}  # attributes people read


def _labels(lang: str) -> frozenset[str]:
    """Every UI label in ``lang``: the pages' catalog and code names, the report labels and the
    answer statuses (placeholders' messages left out)."""
    from anbiao.api.kernel import i18n
    from anbiao.api.reports.labels import LABELS
    from anbiao.core.report import _STATUS

    english = i18n.catalog("en")
    if lang == "en":
        texts = {*english.values(), *LABELS["en"].values(), *_STATUS["en"].values()}
    else:
        texts = {*english, *i18n.NAMES.values(), *LABELS["zh-CN"].values()}
        texts |= set(_STATUS["zh-CN"].values())
    return frozenset(t.strip() for t in texts if t and t.strip() and "{" not in t)


@lru_cache
def foreign_labels(lang: str) -> frozenset[str]:
    """The labels of the other language that are not also labels of ``lang``."""
    return _labels("zh-CN" if lang == "en" else "en") - _labels(lang)


def text_problems(texts: Iterable[str], lang: str) -> list[str]:
    """Problems of visible texts (text nodes, PDF lines, cells) shown to a reader of ``lang``."""
    foreign, problems = foreign_labels(lang), []
    for text in texts:
        shown = text.strip()
        if not shown:
            continue
        for leak in LEAKS:
            if leak in shown:
                problems.append(f"{leak!r} in {shown[:120]!r}")
        if NONE.search(shown):
            problems.append(f"None shown in {shown[:120]!r}")
        parts = {shown, *SEPARATORS["en" if lang == "en" else "zh-CN"].split(shown)}
        other = sorted(p for p in parts if p.strip() in foreign)
        if other:
            problems.append(
                f"{'English' if lang != 'en' else 'Chinese'} label {other} in {shown[:120]!r}"
            )
        elif lang != "en" and (phrase := ENGLISH_PHRASE.search(shown)):
            problems.append(f"English {phrase.group()!r} in {shown[:120]!r}")
    return problems


class _Visible(HTMLParser):
    """The text a reader sees (in the page's language or not), headings and shown attributes."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = [("", _language(lang))]
        self.texts: list[str] = []
        self.headings: list[tuple[str, list[str]]] = []
        self.open_headings: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = _language(values.get("lang") or self.stack[-1][1])
        if lang == self.stack[0][1]:
            self.texts += [v for k, v in attrs if k in SHOWN and v]
        self.texts += [v for k, v in attrs if v and k not in SHOWN and NONE.fullmatch(v)]
        if tag in VOID:
            return
        self.stack.append((tag, lang))
        if tag in HEADINGS:
            self.open_headings.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or all(t != tag for t, _ in self.stack[1:]):
            return
        while self.stack.pop()[0] != tag:
            pass
        if tag in HEADINGS and self.open_headings:
            self.headings.append(self.open_headings.pop())

    def handle_data(self, data: str) -> None:
        tag, lang = self.stack[-1]
        if tag in ("script", "style"):
            return
        for _, parts in self.open_headings:
            parts.append(data)
        self.texts.append(data if lang == self.stack[0][1] else "")


def _language(tag: str) -> str:
    return "en" if tag.lower().startswith("en") else "zh"


def page_problems(html: str, lang: str) -> list[str]:
    """Problems of an HTML page or fragment (or a report's HTML) shown in ``lang``: leaked
    internals or template syntax, None as a value, a label of the other language (text in an
    element marked with another ``lang`` is that language's), an empty heading."""
    parser = _Visible(lang)
    parser.feed(html)
    parser.close()
    problems = [f"{leak!r} in the HTML" for leak in ("object at 0x", "{{", "{%") if leak in html]
    problems += text_problems(parser.texts, lang)
    problems += [f"empty <{tag}>" for tag, parts in parser.headings if not "".join(parts).strip()]
    return problems


def pdf_text(content: bytes) -> str:
    """A PDF's text as poppler's pdftotext lays it out."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def pdf_problems(content: bytes, lang: str) -> list[str]:
    """Problems of a PDF's text: each line, split where the layout leaves a gap, is a text."""
    lines = pdf_text(content).splitlines()
    return text_problems((cell for line in lines for cell in re.split(r"\s{2,}", line)), lang)


def xlsx_problems(content: bytes, lang: str) -> list[str]:
    """Problems of a workbook: sheet names and every cell; a header row without an empty cell."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    problems = text_problems(book.sheetnames, lang)
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if rows and not all(rows[0]):
            problems.append(f"sheet {sheet.title!r}: an empty header cell in {rows[0]}")
        problems += [f"{sheet.title}: {p}" for p in text_problems(_cells(rows), lang)]
    return problems


def _cells(rows: list[tuple[Any, ...]]) -> Iterator[str]:
    for row in rows:
        for value in row:
            if value is not None:
                yield from str(value).splitlines() or [""]


def assert_renders_cleanly(rendered: dict[str, list[str]]) -> None:
    """Fail with every problem of every rendered page or report (``where → problems``)."""
    bad = {where: problems for where, problems in rendered.items() if problems}
    assert not bad, "\n".join(f"{where}:\n  " + "\n  ".join(p) for where, p in bad.items())
