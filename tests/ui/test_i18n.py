"""Every message of the UI has its English translation, with the same placeholders; every
message the engine and the service raise has a code whose text reads in one language, in the
problem documents (``Accept-Language``) and on the pages (the language cookie)."""

from __future__ import annotations

import ast
import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from support import make_profile
from support_api import (
    FUZHOU,
    OWNER,
    PASSWORD,
    Api,
    Clock,
    fresh_database,
    make_app,
    minor_items,
    start,
)
from support_ui import PROFILE_FORM, Pages, page_problems

from anbiao.api.app import TEMPLATE_DIRS
from anbiao.api.applications.workflow import IllegalTransition
from anbiao.api.kernel import i18n
from anbiao.api.kernel.errors import Rejected
from anbiao.api.kernel.forms import FIELD_LABELS, error_lines
from anbiao.api.kernel.messages import SERVICE
from anbiao.api.kernel.models import State
from anbiao.api.kernel.pages import environment
from anbiao.core.engine import Engine
from anbiao.core.errors import MESSAGES, AssessmentError, Message, ProfileError
from anbiao.core.render import replace_block
from anbiao.core.uscc import check_digit

API = Path(i18n.__file__).parent.parent  # every slice's pages
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def template_messages() -> set[str]:
    env = environment(TEMPLATE_DIRS)
    found = set()
    for path in (p for d in TEMPLATE_DIRS for p in d.rglob("*.html")):
        if "reports" in path.parent.parts[-1:]:
            continue  # the report templates carry their own labels
        found |= {
            m for _, _, m in env.extract_translations(path.read_text("utf-8")) if isinstance(m, str)
        }
    return found


def code_messages() -> set[str]:
    """Literal messages given to ``t(lang, "…")`` in the service's Python modules."""
    found = set()
    for path in API.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and "t" in (getattr(node.func, "id", None), getattr(node.func, "attr", None))
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add(node.args[1].value)
    return found


def all_messages() -> set[str]:
    return (
        template_messages()
        | code_messages()
        | set(i18n.NAMES.values())
        | set(i18n.CODES.values())
        | set(FIELD_LABELS.values())
    )


def test_every_message_has_an_english_translation():
    english = i18n.catalog("en")
    missing = sorted(m for m in all_messages() if m not in english)
    assert not missing, "add to api/kernel/locales/en.yaml:\n" + "\n".join(
        f"{m}: " for m in missing
    )


def test_translations_keep_their_placeholders_and_nothing_is_stale():
    english = i18n.catalog("en")
    for message, translation in english.items():
        assert set(re.findall(r"\{\w+\}", message)) == set(re.findall(r"\{\w+\}", translation)), (
            message
        )
    assert not sorted(set(english) - all_messages()), "unused translations"


def test_bilingual_text_is_split_by_language():
    text = "数据已被他人修改，请刷新后重试 / changed by someone else: reload and retry"
    assert i18n.bilingual(text, "zh-CN").startswith("数据已被他人修改")
    assert i18n.bilingual(text, "en") == "changed by someone else: reload and retry"


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_every_code_reads_in_chinese_and_english_with_the_same_parameters():
    """The engine's codes (core MESSAGES) and the service's (api/kernel/messages.py) alike."""
    assert set(SERVICE) <= set(MESSAGES), "the service's codes are registered with the engine's"
    assert set(i18n.CODES) == set(MESSAGES), "api/kernel/i18n.py CODES and core MESSAGES differ"
    for code, english in MESSAGES.items():
        chinese, translated = i18n.CODES[code], i18n.t("en", i18n.CODES[code])
        assert translated != chinese, code
        assert placeholders(chinese) == placeholders(english) == placeholders(translated), code
        assert not CHINESE.search(translated), code


def coded_calls() -> list[tuple[str, str]]:
    """The codes the service's modules raise: ``Message("…")`` and ``not_found("…")``."""
    found = []
    for path in API.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in ("Message", "not_found")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append((f"{path.name}:{node.lineno}", node.args[0].value))
    return found


def test_the_service_raises_only_catalogued_codes_and_every_code_is_raised():
    used = coded_calls()
    assert not [(where, code) for where, code in used if code not in MESSAGES]
    assert not sorted(set(SERVICE) - {code for _, code in used}), "codes nobody raises"


def test_docs_list_every_code():
    doc = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    current = replace_block(doc, i18n.CODES_BEGIN, i18n.CODES_END, i18n.codes_table())
    assert current == doc, "docs/api.md: run `anbiao messages docs`"


RAISES = ("Rejected", "Conflict", "NotFoundException", "NotAuthorizedException")


def test_no_service_error_is_raised_with_a_bilingual_string():
    """Every refusal is coded: none is written as "中文 / English" where it is raised."""
    found = []
    for path in API.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in RAISES:
                found += [f"{path.name}:{node.lineno}" for a in node.args if _text(a)]
    assert not found


def _text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant | ast.JoinedStr)


def test_an_engine_refusal_reads_in_one_language():
    error = AssessmentError.of(
        [
            Message("answer.partial_needs_deduction", {"item": "base.5-1-2.02"}),
            Message("answer.deduction_once", {"item": "x.1", "deduction": "d1", "times": 2}),
        ]
    )
    assert str(error).startswith("base.5-1-2.02: a partial answer needs at least one deduction")
    chinese = i18n.describe(error, "zh-CN")
    assert chinese == (
        "base.5-1-2.02：选“部分符合”时请至少勾选一项扣分项；x.1：扣分项“d1”只能选一次，不能选 2 次"
    )
    english = i18n.describe(error, "en")
    assert "partial answer needs at least one deduction" in english
    assert not CHINESE.search(english), english


def test_a_service_refusal_and_its_reasons_read_in_one_language():
    reasons = [
        Message("eligibility.incomplete", {"unanswered": 3}),
        Message("review.conflict", {"reviewer": "r3", "conflict": Message("review.same_employer")}),
        "base.9-9-9.99",
    ]
    error = Rejected(Message("application.not_eligible"), reasons)
    assert str(error) == "not eligible to apply"  # the English, for logs
    assert error_lines(error, "zh-CN") == [
        "不满足申请条件",
        "自评未完成：3 项未作答",
        "r3：利益冲突：与企业或其咨询机构同单位",
        "base.9-9-9.99",
    ]
    assert error_lines(error, "en") == [
        "not eligible to apply",
        "self-assessment incomplete: 3 items unanswered",
        "r3: same employer as the enterprise or its consultant",
        "base.9-9-9.99",
    ]
    moved = Message("hazard.move_refused", {"from_state": "open", "to_state": "closed"})
    assert i18n.message("zh-CN", moved) == "隐患不能从“待整改”变为“已销号”"


def test_a_profile_the_engine_refuses_reads_in_one_language():
    engine = Engine.from_plugins(load_entrypoints=False)
    with pytest.raises(ProfileError) as refused:
        engine.compose(make_profile(industry="mining"))
    assert [m.code for m in refused.value.messages] == ["profile.unknown_industry"]
    assert i18n.describe(refused.value, "zh-CN").startswith("未知行业“mining”（可选：")
    assert i18n.describe(refused.value, "en").startswith("unknown industry 'mining'")


def test_states_and_actions_in_a_message_read_as_their_names():
    refused = IllegalTransition(State.draft, "accept", ["submit", "withdraw"])
    assert (
        i18n.describe(refused, "zh-CN")
        == "当前状态（草稿）不能执行“受理”；可执行：提交申请、撤回申请"
    )
    english = i18n.describe(refused, "en")
    assert english.startswith("'accept") and not CHINESE.search(english), english


# --- real refusals, through the JSON API and the pages, in each language ------------------------

OTHER = {"zh-CN": "en", "en": "zh-CN"}


@dataclass
class Refusals:
    """One enterprise with a draft application (its self-assessment not finished: refused) and
    an open hazard; each scenario is a real refusal, asked in one language."""

    api: Api
    pages: Pages
    assessment: dict[str, Any]
    application: dict[str, Any]
    hazard: str

    def ask(self, lang: str, method: str, path: str, **kw: Any) -> Any:
        headers = {**self.api.login(OWNER), "Accept-Language": lang}
        return self.api.client.request(method, path, headers=headers, **kw)


@pytest.fixture(scope="module")
def refusals(tmp_path_factory, worker_id) -> Iterator[Refusals]:
    clock = Clock()
    url = fresh_database(tmp_path_factory.mktemp("i18n"), f"i18n_{worker_id}")
    with TestClient(make_app(url, Engine.from_plugins(load_entrypoints=False), clock)) as client:
        api = Api(client, clock)
        _, assessment = start(api)
        item = minor_items(api, assessment)[0]
        partial = {"status": "partial", "deductions": [item["deductions"][0]["id"]]}
        api.call(
            "PATCH",
            f"/api/v1/assessments/{assessment['id']}/answers",
            OWNER,
            json={"version": assessment["version"], "answers": {item["id"]: partial}},
        )
        application = api.call(
            "POST", f"/api/v1/assessments/{assessment['id']}/applications", OWNER, expect=201
        )
        hazards = api.call("GET", "/api/v1/hazards", OWNER)["items"]
        yield Refusals(api, Pages(client), assessment, application, hazards[0]["id"])


def signup_body(email: str, **profile: Any) -> dict[str, Any]:
    return {
        "email": email,
        "password": PASSWORD,
        "name": "安全员",
        "profile": make_profile(**{**FUZHOU, **profile}).model_dump(mode="json"),
    }


def scenario(name: str, r: Refusals) -> tuple[str, str, dict[str, Any]]:
    """The request of a refusal: method, path and body."""
    submit = f"/api/v1/applications/{r.application['id']}/actions/submit"
    return {
        "eligibility": ("POST", submit, {"json": {"version": r.application["version"]}}),
        "profile": (
            "POST",
            "/api/v1/auth/signup",
            {"json": signup_body("other@fz.cn", industry="mining", uscc=OTHER_USCC)},
        ),
        "conflict": ("POST", "/api/v1/auth/signup", {"json": signup_body("other@fz.cn")}),
        "not_found": ("GET", f"/api/v1/assessments/{uuid.uuid4()}", {}),
        "hazard_move": ("PATCH", f"/api/v1/hazards/{r.hazard}", {"json": {"state": "closed"}}),
    }[name]


# each refusal: its status and the codes its problem document starts with
EXPECTED = {
    "eligibility": (422, ["application.not_eligible", "eligibility.incomplete"]),
    "profile": (422, ["enterprise.invalid_profile", "profile.unknown_industry"]),
    "conflict": (409, ["enterprise.uscc_taken"]),
    "not_found": (404, ["assessment.not_found"]),
    "hazard_move": (422, ["hazard.move_refused"]),
}
OTHER_USCC = "91350102MA0000017" + check_digit("91350102MA0000017")


def in_both(error: dict[str, Any]) -> dict[str, str]:
    coded = Message(error["code"], error["params"])
    return {lang: i18n.message(lang, coded) for lang in i18n.LANGS}


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("name", EXPECTED)
def test_a_refusal_reads_in_one_language_in_the_api(refusals, name, lang):
    method, path, kw = scenario(name, refusals)
    r = refusals.ask(lang, method, path, **kw)
    status, codes = EXPECTED[name]
    assert r.status_code == status and r.headers["content-language"] == lang, r.text
    doc = r.json()
    assert [e["code"] for e in doc["errors"]][: len(codes)] == codes
    shown = [doc.get("detail") or doc["title"], *doc.get("reasons", [])]
    assert shown[0] == doc["errors"][0]["message"]
    for error in doc["errors"]:
        texts = in_both(error)
        assert error["message"] == texts[lang] and error["message"] in shown
        assert texts[OTHER[lang]] not in r.text
    if lang == "en":
        assert not [text for text in shown if CHINESE.search(text)], shown
    else:
        assert all(CHINESE.search(text) for text in shown), shown


def on_the_page(name: str, r: Refusals, lang: str) -> str:
    """The same refusal met on the pages, read with the language cookie ``lang``."""
    pages = r.pages
    if name in ("profile", "conflict"):
        uscc = OTHER_USCC if name == "profile" else FUZHOU["uscc"]
        industry = "mining" if name == "profile" else "machinery"
        return pages.sign_up("other@fz.cn", 422, lang, uscc=uscc, industry=industry).text
    pages.sign_in(OWNER)
    pages.client.cookies.set("anbiao_lang", lang)
    if name == "not_found":
        return pages.get(f"/assessments/{uuid.uuid4()}", expect=404)
    pages.get("/hazards")  # a form's token
    if name == "eligibility":
        return pages.post(f"/assessments/{r.assessment['id']}/apply", expect=422).text
    return pages.post(f"/hazards/{r.hazard}", {"state": "closed"}, expect=422).text


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("name", EXPECTED)
def test_a_refusal_reads_in_one_language_on_the_page(refusals, name, lang):
    method, path, kw = scenario(name, refusals)
    errors = refusals.ask(lang, method, path, **kw).json()["errors"]
    page = on_the_page(name, refusals, lang)
    text = html.unescape(page)
    for error in errors:
        texts = in_both(error)
        assert texts[lang] in text and texts[OTHER[lang]] not in text, (texts, text[-3000:])
    assert not page_problems(page, lang)


# --- Litestar's own refusals: coded by their status, in the reader's language --------------------

# each: the request (method, path, its headers beyond Accept-Language, body), status and code
FRAMEWORK = {
    "no_route": ("GET", "/api/v1/no-such-thing", "owner", {}, 404, "request.no_route"),
    "method": ("DELETE", "/api/v1/hazards", "owner", {}, 405, "request.method_not_allowed"),
    "no_token": ("GET", "/api/v1/hazards", "none", {}, 401, "login.required"),
    "bad_token": ("GET", "/api/v1/hazards", "forged", {}, 401, "login.invalid_token"),
    "bad_query": ("GET", "/api/v1/hazards?limit=many", "owner", {}, 400, "request.invalid"),
    "bad_json": (
        "POST",
        "/api/v1/auth/signup",
        "none",
        {"content": b"{oops", "headers": {"Content-Type": "application/json"}},
        400,
        "request.invalid",
    ),
}


def credentials(r: Refusals, who: str) -> dict[str, str]:
    return {
        "owner": r.api.login(OWNER),
        "none": {},
        "forged": {"Authorization": "Bearer not.a.token"},
    }[who]


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("name", FRAMEWORK)
def test_the_frameworks_own_refusals_read_in_one_language(refusals, name, lang):
    method, path, who, kw, status, code = FRAMEWORK[name]
    body = {k: v for k, v in kw.items() if k != "headers"}
    headers = {**credentials(refusals, who), **kw.get("headers", {}), "Accept-Language": lang}
    r = refusals.api.client.request(method, path, headers=headers, **body)
    assert r.status_code == status and r.headers["content-language"] == lang, r.text
    doc = r.json()
    [error] = doc["errors"]
    texts = in_both(error)
    assert error["code"] == code and error["message"] == texts[lang]
    assert (doc.get("detail") or doc["title"]) == texts[lang]
    assert texts[OTHER[lang]] not in r.text
    assert bool(CHINESE.search(texts[lang])) == (lang == "zh-CN")
    litestars = ("Not Found", "Method Not Allowed", "No JWT token", "Invalid token", "Validation")
    assert not [text for text in litestars if text in r.text]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_frameworks_own_refusal_reads_in_the_pages_language(refusals, lang):
    """A form posted without its CSRF token: Litestar's 403, on the page in its language."""
    pages = refusals.pages
    pages.sign_in(OWNER)
    pages.client.cookies.set("anbiao_lang", lang)
    page = pages.client.post("/enterprise/assessments", data={}, follow_redirects=False)
    assert page.status_code == 403
    texts = {code: i18n.message(code, Message("request.forbidden")) for code in i18n.LANGS}
    text = html.unescape(page.text)
    assert texts[lang] in text and texts[OTHER[lang]] not in text and "CSRF" not in text
    assert not page_problems(page.text, lang)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_mistyped_address_is_the_sites_error_page(refusals, lang):
    """No route (404) or a wrong method (405) outside the API: the site's error page in the
    page's language, not a problem document; under /api/ it stays a problem document."""
    pages = refusals.pages
    pages.client.cookies.set("anbiao_lang", lang)
    for method, path, status, code in (
        ("GET", "/enterprise/nowhere", 404, "request.no_route"),
        ("DELETE", "/enterprise", 405, "request.method_not_allowed"),
    ):
        page = pages.client.request(method, path, follow_redirects=False)
        assert page.status_code == status
        assert page.headers["content-type"].startswith("text/html")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert status == 404 or "GET" in page.headers["allow"]
        texts = {c: i18n.message(c, Message(code)) for c in i18n.LANGS}
        text = html.unescape(page.text)
        assert texts[lang] in text and texts[OTHER[lang]] not in text
        assert not page_problems(page.text, lang)
    api = pages.client.get("/api/v1/nowhere", headers={"Accept-Language": lang})
    assert api.headers["content-type"] == "application/problem+json"


def test_a_fields_bilingual_refusal_reads_in_one_language(refusals):
    """Litestar's field errors stay under ``extra``: a "中文 / English" message gives one half."""
    body = signup_body("short@fz.cn")
    body["profile"]["uscc"] = "9135010"
    for lang in i18n.LANGS:
        r = refusals.api.client.post(
            "/api/v1/auth/signup", json=body, headers={"Accept-Language": lang}
        )
        assert r.status_code == 422, r.text
        doc = r.json()
        assert [e["code"] for e in doc["errors"]] == ["request.invalid"]
        [uscc] = [e["message"] for e in doc["extra"] if e["key"].endswith("uscc")]
        assert (" / " not in uscc) and bool(CHINESE.search(uscc)) == (lang == "zh-CN"), uscc


# --- an enterprise's warnings: coded, in the reader's language ---------------------------------

PILOT_USCC = FUZHOU["uscc"][:17] + "3"  # fails the check digit: an early pilot code, accepted


@pytest.fixture(scope="module")
def pilot(refusals) -> str:
    """An enterprise whose USCC fails the check digit; its id."""
    me = refusals.api.signup("pilot@fz.cn", **{**FUZHOU, "uscc": PILOT_USCC})
    return str(me["enterprise_id"])


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_an_enterprises_warnings_are_coded_in_the_api(refusals, pilot, lang):
    headers = {**refusals.api.login("pilot@fz.cn"), "Accept-Language": lang}
    one = refusals.api.client.get(f"/api/v1/enterprises/{pilot}", headers=headers)
    listed = refusals.api.client.get("/api/v1/enterprises", headers=headers)
    assert one.status_code == listed.status_code == 200, one.text
    [warning] = one.json()["warnings"]
    assert listed.json()["items"][0]["warnings"] == [warning]
    assert {k: warning[k] for k in ("code", "params")} == {
        "code": "uscc.check_digit",
        "params": {"expected": FUZHOU["uscc"][17]},
    }
    texts = in_both(warning)
    assert warning["message"] == texts[lang] and texts[OTHER[lang]] not in one.text
    assert bool(CHINESE.search(warning["message"])) == (lang == "zh-CN")


PILOT_FORM = {**PROFILE_FORM, "uscc": PILOT_USCC}


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_an_enterprises_warnings_read_in_the_pages_language(refusals, pilot, lang):
    pages = refusals.pages
    pages.sign_in("pilot@fz.cn")
    pages.client.cookies.set("anbiao_lang", lang)
    texts = in_both({"code": "uscc.check_digit", "params": {"expected": FUZHOU["uscc"][17]}})
    for html_page in (
        pages.get("/enterprise"),
        pages.post("/profile/check", PILOT_FORM, expect=200, htmx=True).text,
    ):
        text = html.unescape(html_page)
        assert texts[lang] in text and texts[OTHER[lang]] not in text, text[-2000:]
    assert not page_problems(pages.get("/enterprise"), lang)
