"""Uploaded files: the type sniffed from the bytes, safe file names and downloads."""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from urllib.parse import quote

PDF = "application/pdf"


JPEG = "image/jpeg"


PNG = "image/png"


WEBP = "image/webp"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


TEXT = "text/plain; charset=utf-8"


# Extensions a download may keep for each type; the first is added when the name has none of them.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    WEBP: (".webp",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    TEXT: (".txt", ".csv", ".md", ".log"),
}


# Main-part content types in [Content_Types].xml; macro-enabled and template variants are refused.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}


_CONTENT_TYPES = "[Content_Types].xml"


_MAX_CONTENT_TYPES_BYTES = 1 << 20


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(data: bytes) -> str | None:
    """The content type the bytes really have, or None when it is not an allowed type."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _ooxml(data)
    return TEXT if _utf8_text(data) else None


def _ooxml(data: bytes) -> str | None:
    """A .docx or .xlsx: a zip with ``[Content_Types].xml`` naming a Word or Excel main part and
    no VBA project. Only the zip directory and that one small entry are read (no zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if _CONTENT_TYPES not in names or any(
                n.lower().endswith("vbaproject.bin") for n in names
            ):
                return None
            info = archive.getinfo(_CONTENT_TYPES)
            if info.file_size > _MAX_CONTENT_TYPES_BYTES:
                return None
            with archive.open(info) as entry:
                manifest = entry.read(_MAX_CONTENT_TYPES_BYTES + 1).decode("utf-8", "replace")
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        RuntimeError,
        NotImplementedError,
        ValueError,
        OSError,
        EOFError,
    ):
        return None
    found = {kind for main, kind in _OOXML_MAIN.items() if f'ContentType="{main}"' in manifest}
    return found.pop() if len(found) == 1 else None


def _utf8_text(data: bytes) -> bool:
    """UTF-8 (a BOM allowed) without control characters other than tab, CR, LF and FF."""
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text) and not _CONTROL.search(text)


_RESERVED = re.compile(r'[<>:"/\\|?*;]')


_WINDOWS_DEVICES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


MAX_FILENAME = 200


def clean_filename(name: str | None, content_type: str) -> str:
    """A safe display and download name: no path, no control or bidi characters, no reserved
    characters, an extension that fits the sniffed type (``a.html`` as text → ``a.html.txt``)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if unicodedata.category(ch)[0] == "Z" else ch
        for ch in name
        if unicodedata.category(ch)[0] != "C"
    )
    name = re.sub(r"\s+", " ", _RESERVED.sub("_", name)).strip(" .")
    stem, ext = os.path.splitext(name)
    allowed = EXTENSIONS[content_type]
    if ext.lower() not in allowed:
        stem, ext = name, allowed[0]
    stem = stem.strip(" .") or "evidence"
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    return stem[: MAX_FILENAME - len(ext)] + ext.lower()


def content_disposition(filename: str, fallback: str | None = None) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987)."""
    fallback = fallback or filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
