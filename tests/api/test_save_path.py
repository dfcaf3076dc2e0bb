"""The save path: a compact answer, work proportional to the change, a pinned number of
statements, hazards synced for the changed items only."""

from __future__ import annotations

from typing import Any

from support_api import (
    FUZHOU,
    answer_all,
    minor_items,
    self_hazards,
    setup_authority,
    start,
    statements,
)

from anbiao.api.assessments.schemas import SaveOut

SINGLE_SAVE_LIMIT = 1024  # bytes


def _save(api, assessment_id: str, version: int, answers: dict[str, Any]) -> dict[str, Any]:
    return api.call(
        "PATCH",
        f"/api/v1/assessments/{assessment_id}/answers",
        "ent@fz.cn",
        json={"version": version, "answers": answers},
    )


def test_a_save_answers_compactly(api):
    """The new version, the saved item's outcome, the totals and the hazards moved — under
    1 kB for one answer; the full view stays at GET and agrees with it."""
    _, assessment = start(api, **FUZHOU)
    item = minor_items(api, assessment)[0]
    deduction = item["deductions"][0]
    path = f"/api/v1/assessments/{assessment['id']}/answers"
    body = {
        "version": assessment["version"],
        "answers": {item["id"]: {"status": "partial", "deductions": [deduction["id"]]}},
    }
    r = api.client.patch(path, headers=api.login("ent@fz.cn"), json=body)
    assert r.status_code == 200, r.text
    assert len(r.content) < SINGLE_SAVE_LIMIT
    saved = r.json()
    assert SaveOut.model_validate(saved).model_dump(mode="json") == saved  # exactly its shape
    assert list(saved)[:2] == ["id", "version"]  # first: benchmarks/wrk_service.lua reads them
    assert saved["id"] == assessment["id"] and saved["version"] == assessment["version"] + 1
    assert saved["items"] == [
        {
            "id": item["id"],
            "status": "partial",
            "earned": max(0, item["max_score"] - deduction["points"]),
            "max_score": item["max_score"],
        }
    ]
    assert saved["hazards"] == {"opened": [item["id"]], "rectifying": [], "verification": []}
    full = api.call("GET", f"/api/v1/assessments/{assessment['id']}", "ent@fz.cn")
    totals = {k: full["result"][k] for k in saved["totals"] if k != "ineligible"}
    assert saved["totals"] == totals | {
        "ineligible": [i["code"] for i in full["result"]["ineligible"]]
    }
    assert "incomplete" in saved["totals"]["ineligible"]
    # clearing the answer: its outcome is unanswered, its hazard awaits verification
    cleared = _save(api, assessment["id"], saved["version"], {item["id"]: None})
    assert cleared["items"] == [
        {"id": item["id"], "status": None, "earned": 0, "max_score": item["max_score"]}
    ]
    assert cleared["hazards"]["verification"] == [item["id"]]
    assert self_hazards(api) == {item["id"]: "submitted"}


def test_a_stale_save_still_carries_the_current_state(api):
    _, assessment = start(api, **FUZHOU)
    answer_all(api, "ent@fz.cn", assessment)
    r = api.client.patch(
        f"/api/v1/assessments/{assessment['id']}/answers",
        headers=api.login("ent@fz.cn"),
        json={"version": assessment["version"], "answers": {}},
    )
    assert r.status_code == 409
    current = r.json()["current"]
    assert current["version"] == assessment["version"] + 1
    assert current["result"]["complete"] and current["answers"]


def test_a_save_sends_a_pinned_number_of_statements(api):
    """One read (assessment, applications, the batch's live hazards), then the writes — for one
    answer and for fifty: on PostgreSQL one statement (the versioned UPDATE, the audit INSERT and
    the hazards opened or moved; in autocommit: test_request_path); on SQLite the versioned
    UPDATE and the audit INSERT, and a failing answer adds the hazard it opens."""
    postgres = api.client.app.state.db_config.get_engine().dialect.name == "postgresql"
    _, assessment = start(api, **FUZHOU)
    items = minor_items(api, assessment)
    version = assessment["version"]
    api.call("GET", f"/api/v1/assessments/{assessment['id']}", "ent@fz.cn")  # account cached

    def save(answers):
        nonlocal version
        version = _save(api, assessment["id"], version, answers)["version"]

    compliant = {"status": "compliant"}
    one = statements(api, lambda: save({items[0]["id"]: compliant}))
    assert len(one) == (2 if postgres else 3), one
    fifty = statements(api, lambda: save({i["id"]: compliant for i in items[1:51]}))
    assert len(items) > 50 and len(fifty) == (2 if postgres else 3), fifty
    failing = {"status": "non_compliant"}
    opens = statements(api, lambda: save({items[0]["id"]: failing}))
    assert len(opens) == (2 if postgres else 4), opens
    assert "INSERT INTO hazard" in opens[-1], opens
    unchanged = statements(api, lambda: save({items[0]["id"]: failing}))
    assert len(unchanged) == 1, unchanged  # the read: nothing to write, nothing to audit


def test_a_save_that_changes_nothing_writes_nothing(api):
    """The same answer again (or an empty batch) answers the current version: no new version,
    no audit event. A stale version is still 409, even when nothing would change."""
    enterprise, assessment = start(api, **FUZHOU)
    item = minor_items(api, assessment)[0]["id"]
    version = assessment["version"]
    saved = _save(api, assessment["id"], version, {item: {"status": "compliant"}})
    assert saved["version"] == version + 1

    def saves() -> int:
        path = f"/api/v1/enterprises/{enterprise}/events"
        events = api.call("GET", path, "ent@fz.cn", params={"limit": 500})["items"]
        return sum(e["action"] == "assessment.answers_saved" for e in events)

    assert saves() == 1
    for batch in ({item: {"status": "compliant"}}, {}):
        again = _save(api, assessment["id"], version + 1, batch)
        assert again["version"] == version + 1 and again["items"] == []
        assert again["totals"] == saved["totals"]
    assert saves() == 1
    read = api.call("GET", f"/api/v1/assessments/{assessment['id']}", "ent@fz.cn")
    assert read["version"] == version + 1
    r = api.client.patch(
        f"/api/v1/assessments/{assessment['id']}/answers",
        headers=api.login("ent@fz.cn"),
        json={"version": version, "answers": {item: {"status": "compliant"}}},
    )
    assert r.status_code == 409 and r.json()["current"]["version"] == version + 1


def test_hazards_follow_only_the_changed_items(api):
    """A closed hazard is history. An item still failing after its hazard was closed keeps no
    live hazard while other items are saved; saving its failing answer again opens a new one."""
    setup_authority(api)
    _, assessment = start(api, **FUZHOU)
    a, b = (i["id"] for i in minor_items(api, assessment)[:2])
    failing = {"status": "non_compliant", "note": "未整改"}
    saved = _save(api, assessment["id"], assessment["version"], {a: failing})
    assert saved["hazards"]["opened"] == [a]
    hazard = next(h for h in _hazards(api) if h["item_id"] == a)
    path = f"/api/v1/hazards/{hazard['id']}"
    body = {"evidence": ["整改照片.jpg"], "state": "submitted"}
    api.call("PATCH", path, "ent@fz.cn", json=body)
    api.call("PATCH", path, "admin@fz.gov", json={"state": "closed"})
    # another item's save leaves the closed hazard of the still-failing item alone
    saved = _save(api, assessment["id"], saved["version"], {b: {"status": "compliant"}})
    assert saved["hazards"] == {"opened": [], "rectifying": [], "verification": []}
    assert [(h["item_id"], h["state"]) for h in _hazards(api)] == [(a, "closed")]
    # saving its failing answer again (a new note) opens a new hazard beside the closed one
    again = {"status": "non_compliant", "note": "复查仍未整改"}
    saved = _save(api, assessment["id"], saved["version"], {a: again})
    assert saved["hazards"]["opened"] == [a]
    states = sorted((h["item_id"], h["state"], h["description"]) for h in _hazards(api))
    assert states == [(a, "closed", "未整改"), (a, "open", "复查仍未整改")]


def _hazards(api) -> list[dict[str, Any]]:
    return api.call("GET", "/api/v1/hazards", "ent@fz.cn", params={"limit": 500})["items"]


def test_a_hazard_moved_by_a_save_takes_a_new_version(api):
    """A save that sends a hazard to verification (or back to rectification) changes the hazard:
    a form holding the version from before the move is refused (409), not silently applied."""
    _, assessment = start(api, **FUZHOU)
    item = minor_items(api, assessment)[0]["id"]
    saved = _save(api, assessment["id"], assessment["version"], {item: {"status": "non_compliant"}})
    [hazard] = _hazards(api)
    fixed = _save(api, assessment["id"], saved["version"], {item: {"status": "compliant"}})
    assert fixed["hazards"]["verification"] == [item]
    [moved] = _hazards(api)
    assert moved["state"] == "submitted" and moved["version"] == hazard["version"] + 1
    stale = {"owner": "张三", "version": hazard["version"]}
    refused = api.call(
        "PATCH", f"/api/v1/hazards/{hazard['id']}", "ent@fz.cn", expect=409, json=stale
    )
    assert refused["current"]["state"] == "submitted" and refused["current"]["owner"] == ""
    failing = _save(api, assessment["id"], fixed["version"], {item: {"status": "non_compliant"}})
    assert failing["hazards"]["rectifying"] == [item]
    assert _hazards(api)[0]["version"] == moved["version"] + 1
