"""What is kept per process with several hosts: certificate numbers (the database's) and the
account cache (per worker, for ``ANBIAO_ACCOUNT_CACHE_SECONDS``)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from scaleout.client import Proxy, enterprise, sql
from scaleout.cluster import ACCOUNT_CACHE_SECONDS
from support_api import act

pytestmark = pytest.mark.xdist_group("scaleout")

CERTIFIED = 4  # applications certified at once, over both hosts


def in_publicity(proxy: Proxy, n: int) -> dict[str, Any]:
    """An application of enterprise ``n`` through review and approval into publicity."""
    email, assessment = enterprise(proxy, n)
    path = f"/api/v1/assessments/{assessment['id']}/applications"
    app = act(proxy, proxy.call("POST", path, email, expect=201), "submit", email)
    app = act(proxy, app, "accept", "admin@fz.gov")
    candidates = proxy.call("GET", f"/api/v1/applications/{app['id']}/candidates", "admin@fz.gov")
    reviewers = [c["id"] for c in candidates if not c["conflicts"]]
    app = act(proxy, app, "assign", "admin@fz.gov", reviewer_ids=reviewers[:2])
    app = act(proxy, act(proxy, app, "conclude_pass", "r1@experts.cn"), "approve", "admin@fz.gov")
    assert app["state"] == "publicity"
    return app


def test_certificate_numbers_stay_unique_under_concurrent_certification(proxy: Proxy) -> None:
    apps = [in_publicity(proxy, 100 + n) for n in range(CERTIFIED)]
    # the publicity period has passed (the hosts' clocks are real)
    sql(proxy.database_url, "UPDATE application SET due_on = current_date - 1")
    client, headers = proxy.fresh(), proxy.login("admin@fz.gov")
    barrier = threading.Barrier(CERTIFIED)

    def certify(app: dict[str, Any]) -> Any:
        barrier.wait(timeout=60)
        body = {"version": app["version"]}
        return client.post(
            f"/api/v1/applications/{app['id']}/actions/certify", json=body, headers=headers
        )

    with ThreadPoolExecutor(CERTIFIED) as pool:
        responses = list(pool.map(certify, apps))
    assert [r.status_code for r in responses] == [200] * CERTIFIED, [r.text for r in responses]
    assert {proxy.host_of(r) for r in responses} == {"a", "b"}
    numbers = [row[0] for row in sql(proxy.database_url, "SELECT number FROM certificate")]
    assert len(numbers) == len(set(numbers)) == CERTIFIED
    for number in numbers:  # each verifies publicly, on either host
        found = proxy.call("GET", f"/api/v1/certificates/{number}")
        assert found["number"] == number


def test_account_cache_is_stale_for_at_most_its_window(proxy: Proxy) -> None:
    """A worker reuses an account for ACCOUNT_CACHE_SECONDS. After a change committed at t0, a
    request started after t0 + window is answered from the database on every worker of every
    host: whatever a worker kept was read before t0 and expired by then. Only requests started
    earlier may see the old account."""
    enterprise(proxy, 200)
    headers = proxy.login("ent200@fz.cn")
    client = proxy.fresh()
    for _ in range(8):  # every worker of both hosts (likely) keeps the account
        assert client.get("/api/v1/auth/me", headers=headers).json()["name"] == "安全员"
    sql(proxy.database_url, "UPDATE user_account SET name = '新名字' WHERE email = 'ent200@fz.cn'")
    t0 = time.monotonic()  # after the commit: the monotonic clock is the hosts' clock too
    seen: list[tuple[float, str, str]] = []
    while (started := time.monotonic()) < t0 + ACCOUNT_CACHE_SECONDS + 1.5:
        r = client.get("/api/v1/auth/me", headers=headers)
        seen.append((started - t0, r.json()["name"], proxy.host_of(r)))
    stale = [s for s in seen if s[1] == "安全员"]
    assert all(after < ACCOUNT_CACHE_SECONDS for after, _, _ in stale), stale
    late = [s for s in seen if s[0] >= ACCOUNT_CACHE_SECONDS]
    assert late and all(name == "新名字" for _, name, _ in late)
    assert {host for _, _, host in late} == {"a", "b"}
