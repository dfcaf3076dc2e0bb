"""Statistics, the region risk ranking (through its hook) and the overdue list, checked against
a scenario built through the API: four enterprises in Fuzhou (3501) and Xiamen (3502)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from support import uscc

from anbiao.api.kernel.models import Role
from anbiao.api.kernel.workdays import working_days_between
from anbiao.core.hookspecs import hookimpl
from anbiao.core.risk import RegionFacts
from anbiao.plugins.default_risk import risk_index

STATS = "/api/v1/statistics"
RANKING = "/api/v1/statistics/risk-ranking"
OVERDUE = "/api/v1/overdue"
VETO_ITEM = "base.5-3-2.05"  # 特种作业人员持证: a veto item, a major hazard when failed


def _enterprise(api, email: str, region: str, n: int, **profile):
    me = api.signup(email, region=region, uscc=uscc(region, n), name=f"企业{n}", **profile)
    return api.call(
        "POST", f"/api/v1/enterprises/{me['enterprise_id']}/assessments", email, expect=201
    )


def _answer_all(api, email, assessment, **overrides):
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", email)
    ids: list[str] = []

    def walk(elements):
        for element in elements:
            ids.extend(i["id"] for i in element["items"])
            walk(element["elements"])

    walk(checklist["elements"])
    partial = {}
    if overrides.pop("partial", False):  # the first item loses its first deduction
        first = checklist["elements"][0]["elements"][0]["items"][0]
        partial = {first["id"]: {"status": "partial", "deductions": [first["deductions"][0]["id"]]}}
    answers = {i: {"status": "compliant"} for i in ids} | partial | overrides
    return api.call(
        "PATCH",
        f"/api/v1/assessments/{assessment['id']}/answers",
        email,
        json={"version": assessment["version"], "answers": answers},
    )


def _apply(api, email, assessment):
    return api.call(
        "POST", f"/api/v1/assessments/{assessment['id']}/applications", email, expect=201
    )


def _act(api, app, action, as_, **body):
    return api.call(
        "POST",
        f"/api/v1/applications/{app['id']}/actions/{action}",
        as_,
        json={"version": app["version"], **body},
    )


@pytest.fixture
def scenario(api, clock):
    """A (3501, machinery): accepted, one general hazard due 2026-03-09.
    B (3501, textile): one withdrawn application, one draft.
    C (3502, machinery): a failed veto item (major hazard), a death this year, no application.
    D (3502, machinery): submitted a month later (April)."""
    api.user("admin@fj.gov", Role.admin, region_prefix="35")
    api.user("admin@fz.gov", Role.admin, region_prefix="3501")
    api.user("admin@xm.gov", Role.admin, region_prefix="3502")
    api.user("r@experts.cn", Role.reviewer, region_prefix="35", domains=["machinery"])
    out = {}

    a = _enterprise(api, "a@fz.cn", "350102", 1)
    _answer_all(api, "a@fz.cn", a, partial=True)
    app_a = _act(api, _apply(api, "a@fz.cn", a), "submit", "a@fz.cn")
    out["a"] = _act(api, app_a, "accept", "admin@fz.gov")
    hazards = api.call("GET", "/api/v1/hazards", "a@fz.cn")["items"]
    assert [h["level"] for h in hazards] == ["general"]
    out["hazard"] = api.call(
        "PATCH",
        f"/api/v1/hazards/{hazards[0]['id']}",
        "a@fz.cn",
        json={"owner": "张三", "deadline": "2026-03-09"},
    )

    b = _enterprise(api, "b@fz.cn", "350104", 2, industry="textile")
    _answer_all(api, "b@fz.cn", b)
    app_b = _act(api, _apply(api, "b@fz.cn", b), "submit", "b@fz.cn")
    out["b_withdrawn"] = _act(api, app_b, "withdraw", "b@fz.cn")
    out["b_draft"] = _apply(api, "b@fz.cn", b)

    c = _enterprise(api, "c@xm.cn", "350203", 3, accidents_12m={"deaths": 1})
    _answer_all(api, "c@xm.cn", c, **{VETO_ITEM: {"status": "non_compliant"}})

    clock.advance(31)  # 2026-04-02
    d = _enterprise(api, "d@xm.cn", "350206", 4)
    _answer_all(api, "d@xm.cn", d)
    out["d"] = _act(api, _apply(api, "d@xm.cn", d), "submit", "d@xm.cn")
    return out


def test_statistics_count_the_scenario_as_json_and_csv(api, scenario):
    stats = api.call("GET", STATS, "admin@fj.gov")
    assert stats == {
        "scope": "35",
        "applications": 4,
        "applications_by_region": {"3501": 3, "3502": 1},
        "applications_by_industry": {"machinery": 2, "textile": 2},
        "applications_by_state": {"accepted": 1, "draft": 1, "submitted": 1, "withdrawn": 1},
        "applications_by_month": {"2026-03": 2, "2026-04": 1},  # a draft has no month
        "enterprises": 4,
        "enterprises_by_region": {"3501": 2, "3502": 2},
        "open_hazards": 2,
        "open_hazards_by_level": {"general": 1, "major": 1},
    }
    text = api.call("GET", STATS, "admin@fj.gov", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert set(rows[0]) == {"dimension", "key", "count"}
    table = {(r["dimension"], r["key"]): int(r["count"]) for r in rows}
    assert table[("applications_by_region", "3501")] == 3
    assert table[("applications_by_month", "2026-04")] == 1
    assert table[("open_hazards_by_level", "major")] == 1
    assert len(rows) == 2 + 2 + 4 + 2 + 2 + 2


def test_statistics_filters_and_region_scope(api, scenario):
    textile = api.call("GET", STATS, "admin@fj.gov", params={"industry": "textile"})
    assert textile["applications_by_state"] == {"draft": 1, "withdrawn": 1}
    assert textile["enterprises_by_region"] == {"3501": 1}
    assert textile["open_hazards_by_level"] == {"general": 0, "major": 0}
    april = api.call("GET", STATS, "admin@fj.gov", params={"submittedFrom": "2026-04-01"})
    assert april["applications_by_state"] == {"submitted": 1}
    march = api.call(
        "GET",
        STATS,
        "admin@fj.gov",
        params={"submittedFrom": "2026-03-01", "submittedTo": "2026-03-31"},
    )
    assert march["applications_by_month"] == {"2026-03": 2}
    xiamen = api.call("GET", STATS, "admin@fj.gov", params={"region": "3502"})
    assert xiamen["applications_by_region"] == {"3502": 1}
    assert xiamen["open_hazards_by_level"] == {"general": 0, "major": 1}
    api.call("GET", STATS, "admin@fj.gov", expect=400, params={"region": "35x"})

    # an admin of Xiamen (3502) sees nothing of Fuzhou (3501)
    xiamen = api.call("GET", STATS, "admin@xm.gov")
    assert xiamen["scope"] == "3502"
    assert xiamen["applications_by_region"] == {"3502": 1}
    assert xiamen["enterprises_by_region"] == {"3502": 2}
    assert xiamen["open_hazards_by_level"] == {"general": 0, "major": 1}
    nothing = api.call("GET", STATS, "admin@xm.gov", params={"region": "3501"})
    assert nothing["applications"] == nothing["enterprises"] == nothing["open_hazards"] == 0
    assert [r["region"] for r in api.call("GET", RANKING, "admin@xm.gov")] == ["3502"]
    assert api.call("GET", RANKING, "admin@xm.gov", params={"region": "3501"}) == []
    for who in ("a@fz.cn", "r@experts.cn"):
        api.call("GET", STATS, who, expect=403)
        api.call("GET", RANKING, who, expect=403)
    api.call("GET", STATS, expect=401)


class FixedIndex:
    """A region plugin replacing the formula: Fuzhou is declared the riskier region."""

    @hookimpl
    def region_risk_index(self, region):
        return {"3501": 90.0, "3502": 10.0}.get(region)


class Abstains:
    @hookimpl(tryfirst=True)
    def region_risk_index(self, region, facts):
        return None


def test_risk_ranking_default_formula_and_hook(api, scenario):
    ranking = ranking_default = api.call("GET", RANKING, "admin@fj.gov")
    assert [(r["rank"], r["region"]) for r in ranking] == [(1, "3502"), (2, "3501")]
    facts = {r["region"]: r["facts"] for r in ranking}
    pct_a = float(scenario["a"]["self_result"]["percentage"])
    pct_b = float(scenario["b_withdrawn"]["self_result"]["percentage"])
    pct_d = float(scenario["d"]["self_result"]["percentage"])
    assert facts["3501"] == {
        "enterprises": 2,
        "applications": 3,
        "certified": 0,
        "open_major_hazards": 0,
        "open_general_hazards": 1,
        "overdue_hazards": 1,
        "vetoes_failed": 0,
        "fatal_accidents_12m": 0,
        "average_percentage": round((pct_a + pct_b) / 2, 1),
    }
    assert facts["3502"] == {
        "enterprises": 2,
        "applications": 1,
        "certified": 0,
        "open_major_hazards": 1,
        "open_general_hazards": 0,
        "overdue_hazards": 0,
        "vetoes_failed": 0,
        "fatal_accidents_12m": 1,
        "average_percentage": pct_d,
    }
    for row in ranking:
        assert row["index"] == risk_index(RegionFacts(**row["facts"]))
    text = api.call("GET", RANKING, "admin@fj.gov", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["rank"], r["region"], r["open_major_hazards"]) for r in rows] == [
        ("1", "3502", "1"),
        ("2", "3501", "0"),
    ]

    # a plugin replaces the formula with no core change
    pm = api.client.app.state.engine.pm
    plugins = [FixedIndex(), Abstains()]
    for plugin in plugins:
        pm.register(plugin)
    try:
        ranking = api.call("GET", RANKING, "admin@fj.gov")
    finally:
        for plugin in plugins:
            pm.unregister(plugin)
    assert [(r["rank"], r["region"], r["index"]) for r in ranking] == [
        (1, "3501", 90.0),
        (2, "3502", 10.0),
    ]
    assert api.call("GET", RANKING, "admin@fj.gov") == ranking_default  # default again


def test_overdue_lists_applications_and_hazards_in_working_days(api, clock, scenario):
    clock.advance(30)  # 2026-05-02: D's acceptance deadline and A's hazard deadline passed
    today = clock.today
    due_d = date.fromisoformat(scenario["d"]["due_on"])
    assert due_d < today < date.fromisoformat(scenario["a"]["due_on"])
    listed = api.call("GET", OVERDUE, "admin@fj.gov")
    assert listed["total"] == 2
    hazard, application = listed["items"]  # most overdue first
    assert hazard == {
        "kind": "hazard",
        "id": scenario["hazard"]["id"],
        "enterprise_id": scenario["hazard"]["enterprise_id"],
        "region": "350102",
        "state": "open",
        "level": "general",
        "due_on": "2026-03-09",
        "working_days_overdue": working_days_between(date(2026, 3, 9), today),
        "calendar_days_overdue": (today - date(2026, 3, 9)).days,
    }
    assert application["kind"] == "application" and application["id"] == scenario["d"]["id"]
    assert application["state"] == "submitted" and application["level"] is None
    assert application["working_days_overdue"] == working_days_between(due_d, today) > 0
    # a withdrawn application is over: no deadline runs on it any more
    assert scenario["b_withdrawn"]["due_on"] is None

    def ids(as_, **params):
        return [i["id"] for i in api.call("GET", OVERDUE, as_, params=params)["items"]]

    assert ids("admin@fz.gov") == [scenario["hazard"]["id"]]
    assert ids("admin@xm.gov") == [scenario["d"]["id"]]
    assert ids("a@fz.cn") == [scenario["hazard"]["id"]]
    assert ids("d@xm.cn") == [scenario["d"]["id"]]
    assert ids("r@experts.cn") == []  # assigned to nothing
    assert ids("admin@fj.gov", kind="application") == [scenario["d"]["id"]]
    assert ids("admin@fj.gov", region="3502") == [scenario["d"]["id"]]
    paged = api.call("GET", OVERDUE, "admin@fj.gov", params={"limit": 1, "offset": 1})
    assert paged["total"] == 2 and [i["id"] for i in paged["items"]] == [scenario["d"]["id"]]

    text = api.call("GET", OVERDUE, "admin@fj.gov", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["kind"], r["working_days_overdue"]) for r in rows] == [
        ("hazard", str(hazard["working_days_overdue"])),
        ("application", str(application["working_days_overdue"])),
    ]

    clock.today = date(2026, 3, 9)  # the hazard's deadline day itself is not overdue
    assert api.call("GET", OVERDUE, "admin@fj.gov")["total"] == 0
    clock.today = date(2026, 3, 10)
    assert [i["kind"] for i in api.call("GET", OVERDUE, "admin@fj.gov")["items"]] == ["hazard"]
