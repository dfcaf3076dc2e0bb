"""Two hosts behind nginx on one PostgreSQL and one S3 store: what one host does, the other sees.

Every request goes through nginx, which names the host that answered (``X-Upstream``); the tests
check that the steps they compare landed on different hosts.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from scaleout.client import REGION, Proxy, enterprise, sql
from scaleout.cluster import BUCKET, Cluster
from support import uscc
from support_api import PASSWORD
from support_ui import Pages

pytestmark = pytest.mark.xdist_group("scaleout")

ITEM = "base.5-1-1.01"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_log_in_on_one_host_use_on_the_other(proxy: Proxy) -> None:
    """One ANBIAO_SECRET_KEY: a bearer token and a page session work on either host."""
    proxy.signup("ent1@fz.cn", region=REGION, uscc=uscc(REGION, 1), name="福州企业1")
    issued_by = proxy.answered[-2]  # signup (then /me)
    me = proxy.on(proxy.other(issued_by), "GET", "/api/v1/auth/me", "ent1@fz.cn")
    assert me.status_code == 200 and me.json()["email"] == "ent1@fz.cn"

    browser = Pages(proxy.fresh())
    browser.sign_in("ent1@fz.cn")  # the form from one host, its CSRF check on the other
    pages_seen = set()
    for _ in range(2):  # consecutive requests alternate: the session works on both hosts
        assert "福州企业1" in browser.get("/enterprise")
        pages_seen.add(proxy.answered[-1])
    assert pages_seen == {"a", "b"}


def test_one_version_saved_on_both_hosts_one_wins(proxy: Proxy) -> None:
    """Two saves with one version, at once on different hosts: one 200, one 409, nothing lost.
    Both change the stored answer (compliant): a save that changes nothing would be a 200 that
    writes nothing."""
    email, assessment = enterprise(proxy, 2)
    path = f"/api/v1/assessments/{assessment['id']}/answers"
    headers = proxy.login(email)
    notes = ("甲主机保存", "乙主机保存")
    clients = [proxy.fresh(), proxy.fresh()]
    barrier = threading.Barrier(2)

    def answer(note: str) -> dict[str, str]:
        return {"status": "non_compliant", "note": note}

    def save(note: str) -> Any:
        client = clients[notes.index(note)]
        body = {"version": assessment["version"], "answers": {ITEM: answer(note)}}
        barrier.wait(timeout=30)
        return client.patch(path, json=body, headers=headers)

    with ThreadPoolExecutor(2) as pool:
        responses = dict(zip(notes, pool.map(save, notes), strict=True))
    assert {proxy.host_of(r) for r in responses.values()} == {"a", "b"}
    assert sorted(r.status_code for r in responses.values()) == [200, 409]
    ((winner, _),) = [(n, r) for n, r in responses.items() if r.status_code == 200]
    ((loser, refused),) = [(n, r) for n, r in responses.items() if r.status_code == 409]
    current = refused.json()["current"]
    assert current["version"] == assessment["version"] + 1
    assert current["answers"][ITEM] == answer(winner)
    # the loser saves again on the version it was shown; both saves are in the history
    body = {"version": current["version"], "answers": {ITEM: answer(loser)}}
    retried = proxy.call("PATCH", path, email, json=body)
    assert retried["version"] == assessment["version"] + 2
    stored = proxy.call("GET", f"/api/v1/assessments/{assessment['id']}", email)["answers"]
    assert stored[ITEM] == answer(loser)
    (last,) = sql(
        proxy.database_url,
        "SELECT before, after FROM event WHERE action = 'assessment.answers_saved'"
        " AND enterprise_id = :id ORDER BY created_at DESC, id DESC LIMIT 1",
        id=assessment["enterprise_id"],
    )
    assert last == ({ITEM: answer(winner)}, {ITEM: answer(loser)})  # on top of the winner


def test_lock_out_counts_failures_from_both_hosts(proxy: Proxy, cluster: Cluster) -> None:
    """Wrong passwords sent at once to both hosts add up to one lock-out (the counter is the
    database's, incremented in place)."""
    enterprise(proxy, 3)
    client = proxy.fresh()
    wrong = {"email": "ent3@fz.cn", "password": "wrong-password"}
    with ThreadPoolExecutor(5) as pool:
        failures = list(pool.map(lambda _: client.post("/api/v1/auth/login", json=wrong), range(5)))
    assert [r.status_code for r in failures] == [401] * 5
    assert {proxy.host_of(r) for r in failures} == {"a", "b"}
    right = {"email": "ent3@fz.cn", "password": PASSWORD}
    refused = [client.post("/api/v1/auth/login", json=right) for _ in range(2)]
    assert {proxy.host_of(r) for r in refused} == {"a", "b"}  # locked on both hosts
    for r in refused:
        assert r.status_code == 401 and "登录失败次数过多" in r.text  # zh-CN, the default
    (locked,) = sql(
        cluster.database_url,
        "SELECT locked_until IS NOT NULL FROM user_account WHERE email = 'ent3@fz.cn'",
    )
    assert locked[0]


def test_evidence_uploaded_on_one_host_downloads_on_the_other(
    proxy: Proxy, cluster: Cluster
) -> None:
    email, assessment = enterprise(proxy, 4)
    uploaded = proxy.call(
        "POST",
        f"/api/v1/assessments/{assessment['id']}/evidence",
        email,
        expect=201,
        files={"file": ("制度.pdf", PDF, "application/pdf")},
        data={"item_id": ITEM},
    )
    elsewhere = proxy.other(proxy.answered[-1])
    got = proxy.on(elsewhere, "GET", f"/api/v1/evidence/{uploaded['id']}", email)
    assert got.status_code == 200 and got.content == PDF
    keys = [o["Key"] for o in cluster.s3().list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert f"evidence/{assessment['enterprise_id']}/{uploaded['sha256']}" in keys
    for each in cluster.hosts.values():  # nothing on a host's own disk
        assert not (each.folder / "uploads").exists()


def test_report_renders_on_either_host(proxy: Proxy) -> None:
    email, assessment = enterprise(proxy, 5)
    path = f"/api/v1/assessments/{assessment['id']}/report"
    headers = proxy.login(email)
    rendered_on = set()
    for _ in range(2):  # consecutive requests: one on each host
        r = proxy.client.get(path, params={"format": "pdf"}, headers=headers)
        assert r.status_code == 200 and r.content.startswith(b"%PDF-")
        rendered_on.add(proxy.host_of(r))
    assert rendered_on == {"a", "b"}
