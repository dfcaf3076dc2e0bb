"""The reviewers' findings (评审发现的问题) in the review report, with their photos.

Gathering reads the photos' bytes from the file storage (at most ``REPORT_PHOTOS`` per report);
the PDF worker turns them into small JPEG thumbnails (``THUMB_PX`` on the longest side, Pillow,
which WeasyPrint needs anyway) embedded as ``data:`` URLs, so the report fetches nothing and a
phone photo of 1 MB adds some 10 kB. Photos past the limit, or whose bytes cannot be read, are
listed by name only. The workbook lists every photo by name.
"""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.applications.photos import photos_of
from anbiao.api.kernel.i18n import name
from anbiao.api.kernel.models import Application, Finding
from anbiao.api.kernel.storage import Storage

log = logging.getLogger(__name__)

Context = dict[str, Any]

REPORT_PHOTOS = 40
"""Photos shown as thumbnails in one report; the others are listed by name."""
THUMB_PX = 240


async def findings_section(
    session: AsyncSession, storage: Storage | None, application: Application, lang: str
) -> list[Context]:
    """The application's findings (all rounds, oldest first) with their photos."""
    findings = list(
        await session.scalars(
            select(Finding).where(Finding.application_id == application.id).order_by(Finding.id)
        )
    )
    photos = await photos_of(session, [f.id for f in findings])
    budget = REPORT_PHOTOS if storage is not None else 0
    out = []
    for f in findings:
        listed = []
        for p in photos.get(f.id, []):
            content = await _read(storage, p.storage_key) if budget > 0 else None
            budget -= content is not None
            listed.append({"filename": p.filename, "size": p.size, "content": content, "thumb": ""})
        out.append(
            {
                "cycle": f.cycle,
                "target": f.item_id or f.element,
                "text": f.text,
                "level": f.level,
                "level_label": name(lang, f.level),
                "state_label": name(lang, f.state),
                "location": f.location,
                "photos": listed,
            }
        )
    return out


async def _read(storage: Storage | None, key: str) -> bytes | None:
    if storage is None:
        return None
    try:
        return await storage.get(key)
    except Exception:  # the report still lists the photo by name
        log.warning("report: could not read photo %s", key, exc_info=True)
        return None


def with_thumbnails(context: Context) -> Context:
    """``context`` with each read photo as a small JPEG ``data:`` URL (in the PDF worker)."""
    for finding in context.get("findings", ()):
        for photo in finding["photos"]:
            content = photo.pop("content", None)
            if content:
                photo["thumb"] = _thumbnail(content)
    return context


def _thumbnail(content: bytes) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.thumbnail((THUMB_PX, THUMB_PX))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=75)
    except (UnidentifiedImageError, OSError, ValueError):
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def findings_rows(findings: list[Context], t: dict[str, str]) -> tuple[list[str], list[list[Any]]]:
    """The workbook's findings sheet: header and rows (photos by file name)."""
    header = [t["cycle"], t["target"], t["finding_text"], t["level"], t["finding_state"]]
    rows = [
        [
            f["cycle"],
            f["target"],
            f["text"],
            f["level_label"],
            f["state_label"],
            f["location"],
            "；".join(p["filename"] for p in f["photos"]),
        ]
        for f in findings
    ]
    return [*header, t["location"], t["photos"]], rows
