"""Evidence uploads (证据材料) through the API: limits, scoping, freezing, storage failures.
Sniffing, names and storage backends: tests/unit/test_evidence_storage.py."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import select
from support_evidence import EXE, WORD_MACRO, WORD_MAIN, files_in, make_ooxml, make_pdf, make_png

from anbiao.api.kernel.models import Event, Evidence, Role
from anbiao.api.kernel.storage import DiskStorage
from anbiao.api.kernel.uploads import DOCX, PDF, PNG

FUZHOU = {"region": "350102", "uscc": "91350102MA00000152", "name": "福州示例机械厂"}
XIAMEN = {"region": "350203", "uscc": "91350203MA00000174", "name": "厦门示例机械厂"}
ITEM = "base.5-1-1.01"


# --- fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture
def uploads(api, tmp_path) -> Path:
    """Evidence goes to a temporary folder (never the working directory)."""
    root = tmp_path / "uploads"
    api.client.app.state.evidence_storage = DiskStorage(root)
    return root


def start(api, email: str, **profile) -> dict:
    me = api.signup(email, **{**FUZHOU, **profile})
    return api.call(
        "POST", f"/api/v1/enterprises/{me['enterprise_id']}/assessments", email, expect=201
    )


def upload(
    api,
    assessment: dict,
    email: str,
    content: bytes,
    filename: str = "a.pdf",
    item_id: str = ITEM,
    client_type: str = "application/octet-stream",
    expect: int = 201,
    note: str | None = None,
):
    data = {"item_id": item_id} | ({"note": note} if note is not None else {})
    return api.call(
        "POST",
        f"/api/v1/assessments/{assessment['id']}/evidence",
        email,
        expect=expect,
        files={"file": (filename, content, client_type)},
        data=data,
    )


def download(api, evidence_id: str, email: str):
    return api.client.get(f"/api/v1/evidence/{evidence_id}", headers=api.login(email))


def db(api, fn):
    async def run():
        async with api.client.app.state.db_config.get_session() as session:
            return await fn(session)

    with api.client.portal() as portal:
        return portal.call(run)


def item_ids(api, email: str, assessment: dict) -> list[str]:
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", email)
    ids: list[str] = []

    def walk(elements):
        for element in elements:
            ids.extend(i["id"] for i in element["items"])
            walk(element["elements"])

    walk(checklist["elements"])
    return ids


def act(api, application, action, as_, expect=200, **body):
    return api.call(
        "POST",
        f"/api/v1/applications/{application['id']}/actions/{action}",
        as_,
        expect=expect,
        json={"version": application["version"], **body},
    )


# --- the API --------------------------------------------------------------------------------------


def test_upload_list_download_delete(api, uploads):
    assessment = start(api, "ent@fz.cn")
    pdf, png = make_pdf("fire drill 2026"), make_png()
    first = upload(
        api,
        assessment,
        "ent@fz.cn",
        pdf,
        filename="消防演练记录.pdf",
        client_type="image/png",
        note="  2026年3月演练  ",
    )  # client type is ignored
    assert first["content_type"] == PDF and first["size"] == len(pdf)
    assert first["filename"] == "消防演练记录.pdf" and first["note"] == "2026年3月演练"
    assert first["item_id"] == ITEM and len(first["sha256"]) == 64
    other_item = item_ids(api, "ent@fz.cn", assessment)[1]
    second = upload(api, assessment, "ent@fz.cn", png, filename="photo", item_id=other_item)
    assert second["content_type"] == PNG and second["filename"] == "photo.png"
    docx = upload(
        api,
        assessment,
        "ent@fz.cn",
        make_ooxml(WORD_MAIN, "word/document.xml"),
        filename="制度.docx",
        item_id=other_item,
    )
    assert docx["content_type"] == DOCX
    assert len(files_in(uploads)) == 3
    text = upload(
        api,
        assessment,
        "ent@fz.cn",
        "<html>整改说明</html>".encode(),
        filename="说明.html",
        client_type="text/html",
        item_id=other_item,
    )
    r = download(api, text["id"], "ent@fz.cn")
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"__.html.txt\"; filename*=UTF-8''%E8%AF%B4%E6%98%8E.html.txt"
    )
    api.call("DELETE", f"/api/v1/evidence/{text['id']}", "ent@fz.cn", expect=204)

    r = download(api, first["id"], "ent@fz.cn")
    assert r.status_code == 200 and r.content == pdf
    assert r.headers["content-type"] == PDF
    assert r.headers["x-content-type-options"] == "nosniff"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E6%B6%88%E9%98%B2" in disposition
    assert download(api, second["id"], "ent@fz.cn").content == png

    listed = api.call("GET", f"/api/v1/assessments/{assessment['id']}/evidence", "ent@fz.cn")
    assert listed["total"] == 3 and {e["id"] for e in listed["items"]} == {
        first["id"],
        second["id"],
        docx["id"],
    }
    assert "storage_key" not in listed["items"][0]
    only = api.call(
        "GET",
        f"/api/v1/assessments/{assessment['id']}/evidence",
        "ent@fz.cn",
        params={"item_id": other_item, "limit": 1},
    )
    assert only["total"] == 2 and len(only["items"]) == 1
    assert only["items"][0]["item_id"] == other_item
    csv = api.call(
        "GET",
        f"/api/v1/assessments/{assessment['id']}/evidence",
        "ent@fz.cn",
        params={"format": "csv", "item_id": ITEM},
    )
    assert csv.startswith("\ufeffid,") and "消防演练记录.pdf" in csv and csv.count("\n") == 2

    # the same bytes twice: two rows, one stored file; deleting one keeps the file
    again = upload(api, assessment, "ent@fz.cn", pdf, filename="copy.pdf", item_id=other_item)
    assert again["sha256"] == first["sha256"] and len(files_in(uploads)) == 3
    api.call("DELETE", f"/api/v1/evidence/{again['id']}", "ent@fz.cn", expect=204)
    assert download(api, first["id"], "ent@fz.cn").content == pdf
    api.call("DELETE", f"/api/v1/evidence/{first['id']}", "ent@fz.cn", expect=204)
    api.call("GET", f"/api/v1/evidence/{first['id']}", "ent@fz.cn", expect=404)
    api.call("DELETE", f"/api/v1/evidence/{first['id']}", "ent@fz.cn", expect=404)
    assert len(files_in(uploads)) == 2

    # answers are untouched; every upload and delete is audited
    assert api.call("GET", f"/api/v1/assessments/{assessment['id']}", "ent@fz.cn")["answers"] == {}
    events = db(api, lambda s: _events(s))
    assert [e.action for e in events].count("evidence.uploaded") == 5
    deleted = [e for e in events if e.action == "evidence.deleted"]
    assert [e.before["evidence"] for e in deleted] == [text["id"], again["id"], first["id"]]
    assert all(e.actor_id is not None and e.enterprise_id is not None for e in deleted)


async def _events(session):
    return list(
        await session.scalars(
            select(Event)
            .where(Event.action.startswith("evidence."))
            .order_by(Event.created_at, Event.id)
        )
    )


def test_refused_uploads(api, uploads, monkeypatch):
    assessment = start(api, "ent@fz.cn")
    refused = upload(
        api,
        assessment,
        "ent@fz.cn",
        EXE,
        filename="report.pdf",
        client_type="application/pdf",
        expect=415,
    )
    assert refused["detail"].startswith("不支持的文件类型")  # in Chinese: no Accept-Language
    upload(
        api,
        assessment,
        "ent@fz.cn",
        make_ooxml(WORD_MACRO, "word/document.xml"),
        filename="宏.docx",
        expect=415,
    )
    upload(api, assessment, "ent@fz.cn", b"", expect=422)
    unknown = upload(
        api, assessment, "ent@fz.cn", make_pdf(), item_id="base.no-such-item", expect=422
    )
    assert "检查项不在本次自评中" in unknown["detail"]
    upload(api, assessment, "ent@fz.cn", make_pdf(), note="长" * 2001, expect=422)

    # the service limit: the handler's check (a problem document naming the limit) ...
    monkeypatch.setattr(api.client.app.state.settings, "max_upload_bytes", 1000)
    big = upload(api, assessment, "ent@fz.cn", make_pdf("x" * 2000), expect=413)
    assert big["status"] == 413 and big["max_bytes"] == 1000 and "文件过大" in big["detail"]
    upload(api, assessment, "ent@fz.cn", make_pdf("small"), expect=201)
    monkeypatch.undo()
    # ... and the framework's request body limit (same setting, fixed when the app is built)
    limit = api.client.app.state.settings.max_upload_bytes
    r = api.client.post(
        f"/api/v1/assessments/{assessment['id']}/evidence",
        headers=api.login("ent@fz.cn"),
        data={"item_id": ITEM},
        files={"file": ("big.pdf", b"%PDF-" + b"0" * limit, "application/pdf")},
    )
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert len(files_in(uploads)) == 1


def test_foreign_objects_are_not_found(api, uploads):
    mine = start(api, "ent@fz.cn")
    evidence = upload(api, mine, "ent@fz.cn", make_pdf())
    theirs = start(api, "ent@xm.cn", **XIAMEN)
    for path in (f"/api/v1/assessments/{mine['id']}/evidence",):
        api.call("GET", path, "ent@xm.cn", expect=404)
    upload(api, mine, "ent@xm.cn", make_pdf(), expect=404)
    assert download(api, evidence["id"], "ent@xm.cn").status_code == 404
    api.call("DELETE", f"/api/v1/evidence/{evidence['id']}", "ent@xm.cn", expect=404)
    assert (
        api.call("GET", f"/api/v1/assessments/{theirs['id']}/evidence", "ent@xm.cn")["total"] == 0
    )

    # admins see their region only and cannot upload or delete
    api.user("admin@fz.gov", Role.admin, region_prefix="3501")
    api.user("admin@xm.gov", Role.admin, region_prefix="3502")
    assert (
        api.call("GET", f"/api/v1/assessments/{mine['id']}/evidence", "admin@fz.gov")["total"] == 1
    )
    assert download(api, evidence["id"], "admin@fz.gov").content == make_pdf()
    api.call("GET", f"/api/v1/assessments/{mine['id']}/evidence", "admin@xm.gov", expect=404)
    assert download(api, evidence["id"], "admin@xm.gov").status_code == 404
    upload(api, mine, "admin@fz.gov", make_pdf(), expect=403)
    api.call("DELETE", f"/api/v1/evidence/{evidence['id']}", "admin@fz.gov", expect=403)
    # a reviewer with no assignment sees nothing
    api.user("r1@experts.cn", Role.reviewer, region_prefix="35", domains=["machinery"])
    api.call("GET", f"/api/v1/assessments/{mine['id']}/evidence", "r1@experts.cn", expect=404)
    assert download(api, evidence["id"], "r1@experts.cn").status_code == 404
    api.call(
        "GET", "/api/v1/evidence/00000000-0000-0000-0000-000000000000", "ent@fz.cn", expect=404
    )
    assert api.client.get(f"/api/v1/evidence/{evidence['id']}").status_code == 401


def test_frozen_assessment_and_assigned_reviewers(api, uploads):
    api.user("admin@fz.gov", Role.admin, region_prefix="3501")
    for n in (1, 2, 3):
        api.user(
            f"r{n}@experts.cn",
            Role.reviewer,
            region_prefix="35",
            employer=f"单位{n}",
            domains=["machinery", "dust_explosion"],
        )
    assessment = start(api, "ent@fz.cn")
    evidence = upload(api, assessment, "ent@fz.cn", make_pdf())
    answers = {i: {"status": "compliant"} for i in item_ids(api, "ent@fz.cn", assessment)}
    api.call(
        "PATCH",
        f"/api/v1/assessments/{assessment['id']}/answers",
        "ent@fz.cn",
        json={"version": assessment["version"], "answers": answers},
    )
    application = api.call(
        "POST", f"/api/v1/assessments/{assessment['id']}/applications", "ent@fz.cn", expect=201
    )
    upload(api, assessment, "ent@fz.cn", make_png(), expect=201)  # a draft does not freeze
    application = act(api, application, "submit", "ent@fz.cn")

    conflict = upload(api, assessment, "ent@fz.cn", make_png(3, 3), expect=409)
    assert "自评已提交评审" in conflict["detail"]
    api.call("DELETE", f"/api/v1/evidence/{evidence['id']}", "ent@fz.cn", expect=409)
    assert len(files_in(uploads)) == 2

    application = act(api, application, "accept", "admin@fz.gov")
    reviewers = {
        r["name"]: r["id"]
        for r in api.call(
            "GET", f"/api/v1/applications/{application['id']}/candidates", "admin@fz.gov"
        )
    }
    act(api, application, "assign", "admin@fz.gov", reviewer_ids=[reviewers["r1"], reviewers["r2"]])
    listed = api.call("GET", f"/api/v1/assessments/{assessment['id']}/evidence", "r1@experts.cn")
    assert listed["total"] == 2
    assert download(api, evidence["id"], "r1@experts.cn").content == make_pdf()
    # the assessment's working answers stay the enterprise's; an unassigned reviewer sees nothing
    api.call("GET", f"/api/v1/assessments/{assessment['id']}", "r1@experts.cn", expect=403)
    api.call("GET", f"/api/v1/assessments/{assessment['id']}/evidence", "r3@experts.cn", expect=404)
    assert download(api, evidence["id"], "r3@experts.cn").status_code == 404
    upload(api, assessment, "r1@experts.cn", make_pdf(), expect=403)


def test_a_failed_database_write_leaves_no_file(api, uploads, monkeypatch):
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.ext.asyncio import AsyncSession

    assessment = start(api, "ent@fz.cn")
    kept = upload(api, assessment, "ent@fz.cn", make_pdf("kept"))
    assert len(files_in(uploads)) == 1
    api.login("ent@fz.cn")

    async def broken_flush(self, *args, **kwargs):
        raise OperationalError("INSERT INTO evidence", {}, Exception("disk I/O error"))

    monkeypatch.setattr(AsyncSession, "flush", broken_flush)
    failed = upload(api, assessment, "ent@fz.cn", make_pdf("new"), expect=500)
    assert failed["detail"] == "内部错误"
    # the same bytes as a committed row: the failure must not take the shared file away
    upload(api, assessment, "ent@fz.cn", make_pdf("kept"), expect=500)
    monkeypatch.undo()

    assert len(files_in(uploads)) == 1
    assert download(api, kept["id"], "ent@fz.cn").content == make_pdf("kept")
    rows = db(api, lambda s: _evidence_rows(s))
    assert [r.id for r in rows] == [UUID(kept["id"])]


class BrokenStorage:
    def __init__(self, inner: DiskStorage) -> None:
        self.inner = inner

    async def put(self, key: str, data: bytes) -> None:
        raise OSError("no space left on device")

    async def get(self, key: str) -> bytes:
        raise ConnectionError("storage unreachable")

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)


def test_storage_failures_are_problems_not_tracebacks(api, uploads):
    assessment = start(api, "ent@fz.cn")
    kept = upload(api, assessment, "ent@fz.cn", make_pdf())
    state = api.client.app.state
    disk, state.evidence_storage = state.evidence_storage, BrokenStorage(state.evidence_storage)
    refused = upload(api, assessment, "ent@fz.cn", make_png(), expect=503)
    assert "证据存储暂不可用" in refused["detail"]
    assert download(api, kept["id"], "ent@fz.cn").status_code == 503
    state.evidence_storage = disk
    assert [r.id for r in db(api, lambda s: _evidence_rows(s))] == [UUID(kept["id"])]
    for path in files_in(uploads):  # a file lost behind the service's back
        path.unlink()
    missing = download(api, kept["id"], "ent@fz.cn")
    assert missing.status_code == 500 and "证据文件缺失" in missing.json()["detail"]


async def _evidence_rows(session):
    return list(await session.scalars(select(Evidence)))
