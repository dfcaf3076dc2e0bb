"""The save path: a compact answer, work proportional to the change, a pinned number of
statements, hazards synced for the changed items only."""

from __future__ import annotations

from typing import Any

from support_api import FUZHOU, answer_all, minor_items, self_hazards, start

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
    assert saved["version"] == assessment["version"] + 1
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
