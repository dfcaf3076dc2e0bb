"""Evidence files without a database: type sniffing, file names and the storage backends."""

from __future__ import annotations

import http.server
import re
import threading
from typing import Self

import anyio
import pytest
from support_evidence import (
    EXCEL_MAIN,
    EXE,
    WORD_MACRO,
    WORD_MAIN,
    files_in,
    make_ooxml,
    make_pdf,
    make_png,
)

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
