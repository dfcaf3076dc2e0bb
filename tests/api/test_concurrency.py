"""Concurrent answer saves: optimistic concurrency never loses an update."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from support_api import FUZHOU, start

WRITERS = 8
ROUNDS = 3


def test_same_version_twice_one_wins(api):
    _, assessment = start(api, **FUZHOU)
    path = f"/api/v1/assessments/{assessment['id']}/answers"
    first = api.call("PATCH", path, "ent@fz.cn", json={
        "version": 1, "answers": {"base.5-1-1.01": {"status": "compliant"}}})
    stale = api.call("PATCH", path, "ent@fz.cn", expect=409, json={
        "version": 1, "answers": {"base.5-1-1.01": {"status": "non_compliant"}}})
    assert stale["current"]["version"] == first["version"] == 2
    assert stale["current"]["answers"] == {"base.5-1-1.01": {"status": "compliant"}}


def test_concurrent_writers_lose_nothing(api):
    _, assessment = start(api, **FUZHOU)
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", "ent@fz.cn")
    items = [i["id"] for e in checklist["elements"] for sub in e["elements"] for i in sub["items"]]
    headers = api.login("ent@fz.cn")
    url = f"/api/v1/assessments/{assessment['id']}"
    jobs = [items[w * ROUNDS + r] for w in range(WRITERS) for r in range(ROUNDS)]
    conflicts = []

    def write(item_id: str) -> int:
        for attempt in range(50):
            version = api.client.get(url, headers=headers).json()["version"]
            r = api.client.patch(f"{url}/answers", headers=headers, json={
                "version": version, "answers": {item_id: {"status": "compliant"}}})
            if r.status_code == 200:
                return attempt
            assert r.status_code == 409, r.text
            conflicts.append(item_id)
        raise AssertionError(f"{item_id}: no success in 50 attempts")

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, jobs))
    final = api.client.get(url, headers=headers).json()
    assert set(final["answers"]) == set(jobs)  # every write is there
    assert final["version"] == 1 + len(jobs)  # each success bumped the version exactly once
    events = api.call("GET", f"/api/v1/enterprises/{assessment['enterprise_id']}/events",
                      "ent@fz.cn", params={"limit": 500})["items"]
    saves = [e for e in events if e["action"] == "assessment.answers_saved"]
    assert len(saves) == len(jobs)
