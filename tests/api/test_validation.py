"""Bad input gets a clear RFC 9457 problem, never a traceback, and changes nothing."""

from __future__ import annotations

from support import make_profile
from support_api import PASSWORD, start


def _signup(api, **profile_changes):
    profile = make_profile().model_dump(mode="json") | profile_changes
    return api.client.post(
        "/api/v1/auth/signup",
        json={"email": "x@y.cn", "password": PASSWORD, "name": "n", "profile": profile},
    )


def test_typed_bodies_reject_what_the_schema_forbids(api):
    for changes in (
        {"employees": True},
        {"hazards": ["dust_explosion", "dust_explosion"]},
        {"region": "990102"},
        {"uscc": "123"},
        {"colour": "red"},
    ):
        r = _signup(api, **changes)
        assert r.status_code == 422, (changes, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "Traceback" not in r.text
    unknown = _signup(api, industry="mining").json()
    assert unknown["reasons"][0].startswith("未知行业“mining”")
    assert [(e["code"], e["params"].get("industry")) for e in unknown["errors"]] == [
        ("enterprise.invalid_profile", None),
        ("profile.unknown_industry", "mining"),
    ]
    assert (
        api.client.post(
            "/api/v1/auth/login", json={"email": "x@y.cn", "password": PASSWORD}
        ).status_code
        == 401
    )  # nothing was created by the refused sign-ups


def test_stale_and_boolean_versions(api):
    _, assessment = start(api)
    path = f"/api/v1/assessments/{assessment['id']}/answers"
    r = api.client.patch(
        path, headers=api.login("ent@fz.cn"), json={"version": True, "answers": {}}
    )
    assert r.status_code == 422 and "version" in r.text
    r = api.client.patch(
        path,
        headers=api.login("ent@fz.cn"),
        json={"version": 1, "answers": {"base.9-9-9.99": {"status": "compliant"}}},
    )
    assert r.status_code == 422 and "base.9-9-9.99" in r.json()["detail"]
    assert api.call("GET", f"/api/v1/assessments/{assessment['id']}", "ent@fz.cn")["version"] == 1
