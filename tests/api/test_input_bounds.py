"""Every input is bounded and every malformed body is a clear 4xx (issue 16): JSON size and
nesting, free-text limits and the text rule, list sizes, integers that reach SQL; the same rule
in the pages. Runs on SQLite and, with ANBIAO_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import breaks_text_rule
from support_api import setup_authority, start, under_review
from support_ui import Pages, ids

from anbiao.api.kernel.limits import (
    BATCH_MAX,
    DEDUCTIONS_MAX,
    JSON_BYTES_MAX,
    JSON_DEPTH_MAX,
    NOTE_MAX,
    REVIEWERS_MAX,
)
from anbiao.api.kernel.models import Role

ENT = "ent@fz.cn"
PROBLEM = "application/problem+json"


def _answers_path(assessment) -> str:
    return f"/api/v1/assessments/{assessment['id']}/answers"


def _first_item(api, assessment) -> str:
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", ENT)
    element = checklist["elements"][0]
    while not element["items"]:
        element = element["elements"][0]
    return element["items"][0]["id"]


def _patch(api, assessment, body: bytes | dict, **headers: str):
    kw = {"json": body} if isinstance(body, dict) else {"content": body}
    return api.client.patch(
        _answers_path(assessment),
        headers={**api.login(ENT), "Content-Type": "application/json", **headers},
        **kw,
    )


def _version(api, assessment) -> int:
    return api.call("GET", f"/api/v1/assessments/{assessment['id']}", ENT)["version"]


def test_deep_large_and_malformed_json_is_a_4xx_problem_naming_the_limit(api):
    _, assessment = start(api)
    deep = _patch(api, assessment, b"[" * 5000 + b"]" * 5000)
    assert deep.status_code == 400 and deep.headers["content-type"] == PROBLEM
    assert deep.json()["limit"] == "json_depth" and deep.json()["max"] == JSON_DEPTH_MAX
    assert str(JSON_DEPTH_MAX) in deep.json()["detail"]
    one_too_deep = json.dumps({"version": 1, "answers": {"x": _nested(JSON_DEPTH_MAX - 1)}})
    assert _patch(api, assessment, one_too_deep.encode()).json()["limit"] == "json_depth"
    at_limit = json.dumps({"version": 1, "answers": {"x": _nested(JSON_DEPTH_MAX - 2)}})
    assert _patch(api, assessment, at_limit.encode()).status_code == 422  # read, then refused
    # brackets inside strings are text, not nesting
    quoted = {"version": 1, "answers": {"x": {"status": "na", "note": "[" * 5000}}}
    assert _patch(api, assessment, quoted).status_code == 422  # unknown item x, not too deep

    large = _patch(api, assessment, b'{"version": 1, "answers": {}, "x": "' + b"a" * JSON_BYTES_MAX)
    assert large.status_code == 413 and large.json()["max"] == JSON_BYTES_MAX

    for body in (
        b'{"version": 1, "answers": {',
        b'{"version": 1, "answers": {}}}',
        b"\xff\xfe\x00",
        b'{"version": 1, "answers": {"\\ud800": null}}',
        b'{"version": NaN, "answers": {}}',
        b"[" * 5000,
        b"]" * 5000,
        b'"' + b"\\" * 5001,
        b"",
    ):
        r = _patch(api, assessment, body)
        assert 400 <= r.status_code < 500, (body[:40], r.status_code, r.text)
        assert r.headers["content-type"] == PROBLEM and "Traceback" not in r.text
    assert _version(api, assessment) == 1  # nothing was saved


@pytest.fixture
def api_once(api):
    """One enterprise with an assessment, shared by the examples of a hypothesis test."""
    _, assessment = start(api)
    return api, assessment, _first_item(api, assessment)


def _nested(levels: int):
    """A value ``levels`` arrays deep (the body around it adds three more levels)."""
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


def test_a_note_over_its_limit_or_breaking_the_text_rule_is_refused_naming_the_field(api):
    _, assessment = start(api)
    item = _first_item(api, assessment)
    for note in ("x" * 1_000_000, "长" * (NOTE_MAX + 1), "a\x00b\u202e", "\u2066x", "x\x1b[31m"):
        body = {"version": 1, "answers": {item: {"status": "compliant", "note": note}}}
        r = _patch(api, assessment, body)
        assert r.status_code in (413, 422), r.text
        if r.status_code == 422:
            assert r.json()["extra"][0]["key"] == f"answers.{item}.note", r.text
    assert _version(api, assessment) == 1
    kept = "第一行\n\t第二行 " + "长" * (NOTE_MAX - 9)
    body = {"version": 1, "answers": {item: {"status": "compliant", "note": kept}}}
    assert len(kept) == NOTE_MAX and _patch(api, assessment, body).status_code == 200
    stored = api.call("GET", f"/api/v1/assessments/{assessment['id']}", ENT)["answers"][item]
    assert stored["note"] == kept


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(note=st.text(st.characters(codec="utf-8"), max_size=60))
def test_any_note_round_trips_exactly_or_is_refused_with_its_field(api_once, note):
    """On SQLite and PostgreSQL: what is accepted is read back exactly."""
    api, assessment, item = api_once
    version = _version(api, assessment)
    body = {"version": version, "answers": {item: {"status": "compliant", "note": note}}}
    r = _patch(api, assessment, body)
    if breaks_text_rule(note, multiline=True):
        assert r.status_code == 422 and r.json()["extra"][0]["key"] == f"answers.{item}.note"
        assert _version(api, assessment) == version
    else:
        assert r.status_code == 200, r.text
        got = api.call("GET", f"/api/v1/assessments/{assessment['id']}", ENT)["answers"][item]
        assert got["note"] == note


def test_lists_in_bodies_are_bounded(api):
    app = under_review(api)
    assessment = {"id": app["assessment_id"]}  # the body is refused before any state is read
    r = _patch(api, assessment, {"version": 1, "answers": dict.fromkeys(map(str, range(1001)))})
    assert BATCH_MAX == 1000 and r.status_code == 422
    assert r.json()["extra"][0]["key"] == "answers"
    deductions = {f"d{i}": 1 for i in range(DEDUCTIONS_MAX + 1)}
    r = _patch(
        api,
        assessment,
        {"version": 1, "answers": {"x": {"status": "partial", "deductions": deductions}}},
    )
    assert r.status_code == 422 and r.json()["extra"][0]["key"] == "answers.x.deductions"
    path = f"/api/v1/applications/{app['id']}/actions"
    too_many = [str(app["id"])] * (REVIEWERS_MAX + 1)
    r = api.client.post(
        f"{path}/assign",
        headers=api.login("admin@fz.gov"),
        json={"version": app["version"], "reviewer_ids": too_many},
    )
    assert r.status_code == 422 and r.json()["extra"][0]["key"] == "reviewer_ids"
    r = api.client.post(
        f"{path}/return",
        headers=api.login("admin@fz.gov"),
        json={"version": app["version"], "reason": "r", "items": ["x"] * (BATCH_MAX + 1)},
    )
    assert r.status_code == 422 and r.json()["extra"][0]["key"] == "items"


def test_integers_that_reach_sql_are_bounded(api):
    _, assessment = start(api)
    api.user("admin@fz.gov", Role.admin, region_prefix="35")
    for path in ("/api/v1/overdue", "/api/v1/applications", "/api/v1/enterprises"):
        r = api.client.get(path, headers=api.login("admin@fz.gov"), params={"offset": 2**70})
        assert r.status_code == 400 and r.headers["content-type"] == PROBLEM, r.text
    r = _patch(api, assessment, {"version": 2**70, "answers": {}})
    assert r.status_code == 422 and r.json()["extra"][0]["key"] == "version"


def test_findings_text_rule_and_blank_text(api):
    app = under_review(api)
    path = f"/api/v1/applications/{app['id']}/findings"
    for text, key in (("\u00a0\u3000 ", "text"), ("a\u202eb", "text"), ("ok", "location")):
        body = {"text": text, "location": "车间\u2067" if key == "location" else ""}
        r = api.client.post(path, headers=api.login("r1@experts.cn"), json=body)
        assert r.status_code == 422 and r.json()["extra"][0]["key"] == key, r.text
    body = {"text": "除尘器\n泄爆口朝向通道", "location": "二车间"}
    assert api.call("POST", path, "r1@experts.cn", expect=201, json=body)["text"] == body["text"]


def test_pages_apply_the_same_rule_and_keep_line_breaks(api):
    setup_authority(api)
    pages = Pages(api.client)
    pages.sign_up(ENT)
    r = pages.post("/enterprise/assessments")
    assessment = r.headers["location"].rsplit("/", 1)[1]
    overview = pages.get(f"/assessments/{assessment}")
    code = ids(rf"/assessments/{assessment}/fill/([^\"]+)\"", overview)[0]
    html = pages.get(f"/assessments/{assessment}/fill/{code}")
    item = re.search(r'name="s:([^"]+)" value="compliant"', html).group(1)
    assert f'name="n:{item}" maxlength="{NOTE_MAX}"' in html
    refused = pages.post(
        f"/assessments/{assessment}/fill/{code}",
        {"version": "1", f"s:{item}": "compliant", f"n:{item}": "a\x00b"},
        expect=422,
        htmx=True,
    )
    assert "备注" in refused.text and "U+0000" in refused.text
    pages.post(
        f"/assessments/{assessment}/fill/{code}",
        {"version": "1", f"s:{item}": "compliant", f"n:{item}": "一\r\n二"},
        expect=200,
        htmx=True,
    )
    stored = api.call("GET", f"/api/v1/assessments/{assessment}", ENT)["answers"][item]
    assert stored["note"] == "一\n二"
