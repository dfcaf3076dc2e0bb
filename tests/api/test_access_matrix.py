"""Every endpoint × every role × own / foreign object: a foreign object is never shown (0 leaks)."""

from __future__ import annotations

import re

from support_api import act, answer_all, start

from anbiao.api.kernel.models import Role

USERS = ("ent_a@x.cn", "ent_b@x.cn", "admin_fz@gov.cn", "admin_xm@gov.cn", "r1@x.cn", "r3@x.cn")
# who may see objects of enterprise A (Fuzhou), per object kind
VISIBLE = {
    "enterprise": {"ent_a@x.cn", "admin_fz@gov.cn", "r1@x.cn"},
    "assessment": {"ent_a@x.cn", "admin_fz@gov.cn"},
    "application": {"ent_a@x.cn", "admin_fz@gov.cn", "r1@x.cn"},
    "hazard": {"ent_a@x.cn", "admin_fz@gov.cn"},
    "evidence": {"ent_a@x.cn", "admin_fz@gov.cn", "r1@x.cn"},  # + reviewers of its application
    "certificate": {"ent_a@x.cn", "admin_fz@gov.cn"},  # the PDF; the public gets the JSON check
}
# (method, path, object kind, body); a stale version keeps owners' writes from changing state
ENDPOINTS = [
    ("GET", "/api/v1/enterprises/{enterprise}", "enterprise", None),
    ("PUT", "/api/v1/enterprises/{enterprise}/profile", "enterprise", "profile"),
    ("POST", "/api/v1/enterprises/{enterprise}/assessments", "enterprise", None),
    ("GET", "/api/v1/enterprises/{enterprise}/assessments", "enterprise", None),
    ("GET", "/api/v1/enterprises/{enterprise}/events", "enterprise", None),
    ("GET", "/api/v1/assessments/{assessment}", "assessment", None),
    ("GET", "/api/v1/assessments/{assessment}/checklist", "assessment", None),
    (
        "PATCH",
        "/api/v1/assessments/{assessment}/answers",
        "assessment",
        {"version": 0, "answers": {}},
    ),
    ("POST", "/api/v1/assessments/{assessment}/applications", "assessment", None),
    ("GET", "/api/v1/applications/{application}", "application", None),
    ("POST", "/api/v1/applications/{application}/actions/{action}", "application", {"version": 0}),
    ("PUT", "/api/v1/applications/{application}/review", "application", {"answers": {}}),
    ("GET", "/api/v1/applications/{application}/comparison", "application", None),
    ("GET", "/api/v1/applications/{application}/candidates", "application", None),
    ("GET", "/api/v1/applications/{application}/events", "application", None),
    ("PATCH", "/api/v1/hazards/{hazard}", "hazard", {}),
    ("GET", "/api/v1/assessments/{assessment}/report?format=xlsx", "assessment", None),
    ("GET", "/api/v1/assessments/{assessment}/action-plan", "assessment", None),
    ("GET", "/api/v1/assessments/{assessment}/action-plan/report?format=xlsx", "assessment", None),
    ("GET", "/api/v1/applications/{application}/report?format=xlsx", "application", None),
    ("GET", "/api/v1/certificates/{number}/pdf", "certificate", None),
    ("POST", "/api/v1/applications/{application}/findings", "application", {"text": "问题"}),
    ("GET", "/api/v1/applications/{application}/findings", "application", None),
    (
        "POST",
        "/api/v1/applications/{application}/findings/{finding}/withdraw",
        "application",
        {"version": 0},
    ),
    ("POST", "/api/v1/assessments/{assessment}/evidence", "assessment", "upload"),
    ("GET", "/api/v1/assessments/{assessment}/evidence", "evidence", None),
    ("GET", "/api/v1/evidence/{evidence}", "evidence", None),
    ("DELETE", "/api/v1/evidence/{evidence}", "evidence", None),
]
LISTS = ["/api/v1/enterprises", "/api/v1/applications", "/api/v1/hazards"]
PUBLIC = {
    ("GET", "/api/v1/certificates/{number}"),
    ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/auth/me"),
}


def scenario(api):
    api.user("admin_fz@gov.cn", Role.admin, region_prefix="3501")
    api.user("admin_xm@gov.cn", Role.admin, region_prefix="3502")
    for name in ("r1", "r2", "r3"):
        api.user(
            f"{name}@x.cn",
            Role.reviewer,
            region_prefix="35",
            domains=["machinery"],
            employer=f"{name} 咨询",
        )
    ids = {}
    for email, region, uscc in (
        ("ent_a@x.cn", "350102", "91350102MA00000152"),
        ("ent_b@x.cn", "350203", "92350203MA0000023D"),
    ):
        enterprise, assessment = start(api, email, region=region, uscc=uscc, name=email)
        saved = answer_all(api, email, assessment)
        app = api.call(
            "POST", f"/api/v1/assessments/{assessment['id']}/applications", email, expect=201
        )
        app = act(api, app, "submit", email)
        ids[email] = {
            "enterprise": enterprise,
            "assessment": assessment["id"],
            "application": app["id"],
            "app": app,
            "assessment_version": saved["version"],
        }
    a = ids["ent_a@x.cn"]
    app = act(api, a["app"], "accept", "admin_fz@gov.cn")
    reviewers = {
        r["name"]: r["id"]
        for r in api.call("GET", f"/api/v1/applications/{app['id']}/candidates", "admin_fz@gov.cn")
    }
    act(api, app, "assign", "admin_fz@gov.cn", reviewer_ids=[reviewers["r1"], reviewers["r2"]])
    return a


def _hazard_of(api, email):
    # a failed item gives the enterprise a self-assessment hazard to test against
    return api.call("GET", "/api/v1/hazards", email)["items"]


def test_routes_are_all_in_the_matrix(api):
    covered = {(m, p.split("?")[0]) for m, p, _, _ in ENDPOINTS} | PUBLIC
    for route in api.client.app.routes:
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        if not path.startswith("/api/") or ("{" not in path and path not in LISTS):
            continue
        for method in getattr(route, "methods", ()):
            if method in ("HEAD", "OPTIONS") or path in LISTS:
                continue
            normalised = re.sub(r"\{(\w+?)_id\}", r"{\1}", path)
            assert (method, normalised) in covered, f"{method} {path} missing from the matrix"


def test_no_foreign_object_is_ever_shown(api, tmp_path):
    from anbiao.api.kernel.storage import DiskStorage

    api.client.app.state.evidence_storage = DiskStorage(tmp_path / "uploads")
    a = scenario(api)
    # a self-assessment hazard of A: make one item fail and fetch it
    api.call(
        "PATCH",
        f"/api/v1/assessments/{a['assessment']}/answers",
        "ent_a@x.cn",
        expect=409,
        json={"version": a["assessment_version"], "answers": {}},
    )  # frozen: submitted
    hazards = _seed_hazard(api, a)
    evidence = _seed_evidence(api, a)
    finding = api.call(
        "POST",
        f"/api/v1/applications/{a['application']}/findings",
        "r1@x.cn",
        expect=201,
        json={"text": "测试问题"},
    )["id"]
    ids = {**a, "hazard": hazards, "action": "accept", "evidence": evidence, "finding": finding}
    secrets = {
        str(a["enterprise"]),
        str(a["assessment"]),
        str(a["application"]),
        hazards,
        "ent_a@x.cn",
        evidence,
        finding,
    }
    ids["number"] = _seed_certificate(api, a)
    secrets.add(ids["number"])
    leaks = []
    for method, template, kind, body in ENDPOINTS:
        path = template.format(**ids)
        if body == "profile":
            body = {"version": 0, "profile": _profile(api, a)}
        for user in USERS:
            if body == "upload":
                r = api.client.request(
                    method,
                    path,
                    headers=api.login(user),
                    data={"item_id": "base.5-1-1.01"},
                    files={"file": ("a.pdf", b"%PDF-1.4 test", "application/pdf")},
                )
                assert r.status_code != 201, f"{method} {path} as {user}: frozen, yet stored"
            else:
                r = api.client.request(method, path, headers=api.login(user), json=body)
            if user in VISIBLE[kind]:
                assert r.status_code not in (401, 404), f"{method} {path} as {user}: {r.text}"
            else:
                assert r.status_code in (403, 404), f"{method} {path} as {user}: {r.status_code}"
                if any(s in r.text for s in secrets):
                    leaks.append((method, path, user))
    for user in USERS:
        for path in LISTS:
            text = api.client.get(path, headers=api.login(user)).text
            visible = any(user in VISIBLE[k] for k in VISIBLE)
            if not visible and any(s in text for s in secrets):
                leaks.append(("GET", path, user))
    assert leaks == []


def _seed_hazard(api, a) -> str:
    from sqlalchemy import select

    from anbiao.api.kernel.models import Hazard

    async def create():
        async with api.client.app.state.db_config.get_session() as session:
            hazard = Hazard(
                enterprise_id=a["enterprise"],
                item_id="base.5-1-1.01",
                source="self",
                level="general",
                description="测试隐患",
            )
            session.add(hazard)
            await session.commit()
            return str((await session.scalars(select(Hazard.id))).first())

    with api.client.portal() as portal:
        return portal.call(create)


def _seed_certificate(api, a) -> str:
    """A certificate of A, put in directly (the scenario stops under review)."""
    from datetime import date

    from anbiao.api.kernel.models import Certificate

    async def create():
        async with api.client.app.state.db_config.get_session() as session:
            session.add(
                Certificate(
                    number="AB35-2026-000001",
                    application_id=a["application"],
                    enterprise_id=a["enterprise"],
                    enterprise_name="ent_a@x.cn",
                    grade="达标",
                    issued_on=date(2026, 3, 2),
                    valid_until=date(2029, 3, 2),
                )
            )
            await session.commit()
        return "AB35-2026-000001"

    with api.client.portal() as portal:
        return portal.call(create)


def _seed_evidence(api, a) -> str:
    """A's assessment is frozen (submitted), so the row and its file are put in directly."""
    from anbiao.api.kernel.models import Evidence

    async def create():
        await api.client.app.state.evidence_storage.put(f"{a['enterprise']}/0", b"%PDF-1.4")
        async with api.client.app.state.db_config.get_session() as session:
            evidence = Evidence(
                enterprise_id=a["enterprise"],
                assessment_id=a["assessment"],
                item_id="base.5-1-1.01",
                filename="a.pdf",
                content_type="application/pdf",
                size=8,
                sha256="0" * 64,
                storage_key=f"{a['enterprise']}/0",
            )
            session.add(evidence)
            await session.commit()
            return str(evidence.id)

    with api.client.portal() as portal:
        return portal.call(create)


def _profile(api, a):
    return api.call("GET", f"/api/v1/enterprises/{a['enterprise']}", "ent_a@x.cn")["profile"]
