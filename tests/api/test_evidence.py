"""Evidence uploads (证据材料): sniffing, limits, scoping, freezing, storage and migrations."""

from __future__ import annotations

import http.server
import io
import re
import struct
import threading
import zipfile
import zlib
from pathlib import Path
from typing import Self
from uuid import UUID

import anyio
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from anbiao.api.kernel.models import Event, Evidence, Role
from anbiao.api.kernel.settings import Settings
from anbiao.api.kernel.storage import (
    DiskStorage,
    ObjectStorage,
    StorageError,
    StorageSettings,
    check_key,
    make_storage,
)
from anbiao.api.kernel.uploads import DOCX, JPEG, PDF, PNG, TEXT, WEBP, XLSX, clean_filename, sniff

FUZHOU = {"region": "350102", "uscc": "91350102MA00000152", "name": "福州示例机械厂"}
XIAMEN = {"region": "350203", "uscc": "91350203MA00000174", "name": "厦门示例机械厂"}
ITEM = "base.5-1-1.01"


# --- files built here -----------------------------------------------------------------------------


def make_pdf(text: str = "evidence") -> bytes:
    """A small valid one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def make_ooxml(
    main: str, part: str, extra: dict[str, bytes] | None = None, content_types: bool = True
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr(
                "[Content_Types].xml",
                (
                    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
                    '.org/package/2006/content-types"><Default Extension="xml" '
                    'ContentType="application/xml"/><Override PartName="/' + part + '" '
                    'ContentType="' + main + '"/></Types>'
                ),
            )
        archive.writestr(part, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORD_MACRO = "application/vnd.ms-word.document.macroEnabled.main+xml"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


# --- fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture
def uploads(api, tmp_path) -> Path:
    """Evidence goes to a temporary folder (never the working directory)."""
    root = tmp_path / "uploads"
    api.client.app.state.evidence_storage = DiskStorage(root)
    return root


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


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


# --- sniffing and names (no database) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (make_pdf(), PDF),
        (make_png(), PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01rest", JPEG),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00", WEBP),
        (make_ooxml(WORD_MAIN, "word/document.xml"), DOCX),
        (make_ooxml(EXCEL_MAIN, "xl/workbook.xml"), XLSX),
        ("整改记录：已更换防护罩。\r\n\tdone".encode(), TEXT),
        (b"\xef\xbb\xbfwith a BOM\n", TEXT),
        (EXE, None),  # a Windows executable, whatever its name
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 20, None),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"PK\x03\x04not really a zip", None),
        (make_ooxml(WORD_MAIN, "word/document.xml", content_types=False), None),  # plain zip
        (make_ooxml(WORD_MACRO, "word/document.xml"), None),  # .docm
        (make_ooxml(WORD_MAIN, "word/document.xml", {"word/vbaProject.bin": b"\x00"}), None),
        (b"abc\x00def", None),  # NUL: binary, not text
        (b"\xc3\x28 invalid utf-8", None),
        ("中文".encode("gb18030"), None),  # not UTF-8
    ],
)
def test_sniffing_decides_by_content(content, expected):
    assert sniff(content) == expected


def test_filenames_are_sanitised():
    assert clean_filename("../../etc/passwd", TEXT) == "passwd.txt"
    assert clean_filename("C:\\Users\\安全员\\检查记录.PDF", PDF) == "检查记录.pdf"
    assert clean_filename("invoice\u202egnp.exe", PDF) == "invoicegnp.exe.pdf"  # bidi override
    assert clean_filename("page.html", TEXT) == "page.html.txt"
    assert clean_filename("photo.jpeg", JPEG) == "photo.jpeg"
    assert clean_filename("..", PNG) == "evidence.png"
    assert clean_filename(None, PNG) == "evidence.png"
    assert clean_filename('a<b>:"c"|?*.txt', TEXT) == "a_b___c____.txt"
    assert clean_filename("CON.txt", TEXT) == "_CON.txt"
    assert clean_filename("培训\u3000记录 .docx", DOCX) == "培训 记录.docx"
    long = clean_filename("长" * 500 + ".pdf", PDF)
    assert len(long) == 200 and long.endswith(".pdf")


# --- storage backends (no database) ---------------------------------------------------------------


def test_disk_storage_round_trip_and_keys(tmp_path):
    anyio.run(_disk_round_trip, tmp_path)


async def _disk_round_trip(tmp_path):
    storage = DiskStorage(tmp_path / "s")
    await storage.put("ent/abc", b"one")
    await storage.put("ent/abc", b"one")  # idempotent
    assert await storage.get("ent/abc") == b"one"
    assert [p.name for p in files_in(tmp_path / "s")] == ["abc"]  # no temporary file left
    await storage.delete("ent/abc")
    await storage.delete("ent/abc")  # missing: no error
    assert files_in(tmp_path / "s") == [] and not (tmp_path / "s" / "ent").exists()
    with pytest.raises(FileNotFoundError):
        await storage.get("ent/abc")
    for bad in ("../x", "/etc/passwd", "a/../../b", "a\\b", "", "a//b", ".hidden"):
        with pytest.raises(ValueError):
            check_key(bad)


def test_object_storage_round_trip_on_a_memory_store():
    anyio.run(_memory_round_trip)


async def _memory_round_trip():
    from obstore.store import MemoryStore

    storage = ObjectStorage(MemoryStore())  # the same code path as S3, without a network
    await storage.put("ent/abc", b"bytes")
    assert await storage.get("ent/abc") == b"bytes"
    await storage.delete("ent/abc")
    await storage.delete("ent/abc")
    with pytest.raises(FileNotFoundError):
        await storage.get("ent/abc")


async def _round_trip(storage) -> None:
    await storage.put("ent/abc", b"bytes")
    await storage.put("ent/abc", b"bytes")
    assert await storage.get("ent/abc") == b"bytes"
    await storage.delete("ent/abc")
    with pytest.raises(FileNotFoundError):
        await storage.get("ent/abc")
    await storage.delete("ent/abc")


class FakeS3:
    """Just enough of the S3 REST API (path style, no signature check) on a local port."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.requests: list[tuple[str, str, str]] = []

    def __enter__(self) -> Self:
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self, status: int, body: bytes = b"", **headers: str) -> None:
                self.send_response(status)
                for name, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> bytes:
                fake.requests.append(
                    (self.command, self.path, self.headers.get("Authorization", ""))
                )
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_PUT(self) -> None:
                fake.objects[self.path] = self._body()
                self._reply(200, ETag='"1"')

            def do_GET(self) -> None:
                self._body()
                if self.path not in fake.objects:
                    self._reply(404, b"<Error><Code>NoSuchKey</Code></Error>")
                    return
                self._reply(
                    200,
                    fake.objects[self.path],
                    ETag='"1"',
                    Last_Modified="Sun, 29 Nov 2026 12:00:00 GMT",
                )

            def do_POST(self) -> None:  # DeleteObjects: POST /bucket?delete
                keys = re.findall(r"<Key>(.*?)</Key>", self._body().decode())
                bucket = self.path.split("?")[0]
                for key in keys:
                    fake.objects.pop(f"{bucket}/{key}", None)
                deleted = "".join(f"<Deleted><Key>{k}</Key></Deleted>" for k in keys)
                self._reply(200, f"<DeleteResult>{deleted}</DeleteResult>".encode())

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_settings_select_the_storage(monkeypatch, tmp_path):
    from obstore.store import MemoryStore, S3Store

    settings = Settings(database_url="sqlite+aiosqlite://", upload_dir=tmp_path / "up")
    monkeypatch.delenv("ANBIAO_STORAGE_URL", raising=False)
    default = make_storage(settings)
    assert isinstance(default, DiskStorage) and default.root == tmp_path / "up"
    explicit = make_storage(settings, StorageSettings(storage_url=f"file://{tmp_path}/other"))
    assert isinstance(explicit, DiskStorage) and explicit.root == tmp_path / "other"
    memory = make_storage(settings, StorageSettings(storage_url="memory://"))
    assert isinstance(memory, ObjectStorage) and isinstance(memory.store, MemoryStore)

    # S3-compatible (e.g. an intranet MinIO): URL and switches from ANBIAO_*, endpoint and
    # credentials from the usual AWS_* variables; a stub S3 server stands in for the service.
    with FakeS3() as s3:
        monkeypatch.setenv("ANBIAO_STORAGE_URL", "s3://anbiao-evidence/prod/files/")
        monkeypatch.setenv("ANBIAO_STORAGE_ALLOW_HTTP", "true")
        monkeypatch.setenv("AWS_ENDPOINT_URL", s3.endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
        monkeypatch.setenv("AWS_REGION", "cn-east-1")
        storage = make_storage(settings)
        assert isinstance(storage, ObjectStorage) and isinstance(storage.store, S3Store)
        assert storage.store.prefix == "prod/files"
        assert storage.store.client_options["allow_http"] in (True, "true")
        anyio.run(_round_trip, storage)
        assert s3.objects == {}
        methods = [(r[0], r[1]) for r in s3.requests]
        assert methods[:4] == [("PUT", "/anbiao-evidence/prod/files/ent/abc")] * 2 + [
            ("GET", "/anbiao-evidence/prod/files/ent/abc"),
            ("POST", "/anbiao-evidence?delete"),
        ]  # DeleteObjects
        assert s3.requests[0][2].startswith("AWS4-HMAC-SHA256 Credential=test-key/")
        assert "/cn-east-1/s3/" in s3.requests[0][2]

    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(StorageError, match="misconfigured"):
        make_storage(settings)  # a key id without its secret
    for bad in ("s3://", "ftp://host/x"):
        with pytest.raises(StorageError):
            make_storage(settings, StorageSettings(storage_url=bad))


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


# --- migrations -----------------------------------------------------------------------------------


def test_migration_chain_upgrades_and_downgrades(tmp_path):
    from advanced_alchemy.alembic.commands import AlembicCommands

    from anbiao.api.kernel.db import db_config

    path = tmp_path / "migrated.sqlite3"
    commands = AlembicCommands(
        sqlalchemy_config=db_config(Settings(database_url=f"sqlite+aiosqlite:///{path}"))
    )
    sync = sa.create_engine(f"sqlite:///{path}")

    def tables() -> set[str]:
        return set(sa.inspect(sync).get_table_names())

    def revision() -> str | None:
        with sync.connect() as conn:
            return conn.execute(sa.text("SELECT version_num FROM alembic_versions")).scalar()

    try:
        commands.upgrade("2026_11_29_0002")
        assert "evidence" in tables() and revision() == "2026_11_29_0002"
        columns = {c["name"] for c in sa.inspect(sync).get_columns("evidence")}
        assert columns == set(Evidence.__table__.columns.keys())
        indexes = {i["name"] for i in sa.inspect(sync).get_indexes("evidence")}
        assert {"ix_evidence_assessment_id", "ix_evidence_storage_key"} <= indexes
        commands.downgrade("2026_11_29_0001")
        assert "evidence" not in tables() and "assessment" in tables()
        assert revision() == "2026_11_29_0001"
        commands.downgrade("base")
        assert tables() <= {"alembic_versions"}
        commands.upgrade("head")
        assert "evidence" in tables()
    finally:
        sync.dispose()
