"""Photos of a finding (现场照片): taken on site by the finding's reviewer and attached to it.

* Attach and remove: the finding's author, while the review round is open (the application
  under review, the finding neither withdrawn nor raised). Each changes the finding: its
  ``version`` goes up, so a page or client holding an older one gets 409 when it removes.
* Read: whoever sees the finding's application (``anbiao.api.kernel.access``); anyone else gets
  404.
* Only images (JPEG, PNG, WebP, judged by content) within the upload limit; the bytes go to the
  file storage under ``findings/<enterprise id>/<sha256>``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from litestar.exceptions import PermissionDeniedException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.applications.findings import finding_facts
from anbiao.api.kernel.audit import audit
from anbiao.api.kernel.db import versioned_update
from anbiao.api.kernel.errors import Conflict, Rejected, coded
from anbiao.api.kernel.files import PHOTO, accepted_type, discard_unreferenced, store_and_commit
from anbiao.api.kernel.limits import FINDING_PHOTOS_MAX
from anbiao.api.kernel.models import Application, Finding, FindingPhoto, State, User
from anbiao.api.kernel.storage import Storage
from anbiao.api.kernel.uploads import clean_filename
from anbiao.core.errors import Message


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as it came: its name (untrusted) and its bytes (at most ``limit`` + 1 read)."""

    filename: str | None
    content: bytes
    limit: int


def photo_facts(photo: FindingPhoto) -> dict[str, Any]:
    return {
        "photo": str(photo.id),
        "finding": str(photo.finding_id),
        "filename": photo.filename,
        "content_type": photo.content_type,
        "size": photo.size,
        "sha256": photo.sha256,
    }


def may_change(user: User, application: Application, finding: Finding) -> bool:
    """Whether ``user`` may attach or remove this finding's photos now (the pages ask too)."""
    return (
        finding.author_id == user.id
        and application.state == State.under_review
        and finding.state == "open"
    )


def _check(user: User, application: Application, finding: Finding) -> None:
    if finding.author_id != user.id:
        raise coded(PermissionDeniedException(), Message("photo.author_only"))
    if not may_change(user, application, finding):
        raise Conflict(Message("photo.finding_closed"))


async def photos_of(session: AsyncSession, finding_ids: list[Any]) -> dict[Any, list[FindingPhoto]]:
    """The photos of these findings, oldest first, by finding."""
    found: dict[Any, list[FindingPhoto]] = {}
    if finding_ids:
        query = (
            select(FindingPhoto)
            .where(FindingPhoto.finding_id.in_(finding_ids))
            .order_by(FindingPhoto.created_at, FindingPhoto.id)
        )
        for photo in await session.scalars(query):
            found.setdefault(photo.finding_id, []).append(photo)
    return found


async def _referenced(session: AsyncSession, key: str) -> bool:
    count = await session.scalar(
        select(func.count()).select_from(FindingPhoto).where(FindingPhoto.storage_key == key)
    )
    return bool(count)


async def _touch(
    session: AsyncSession, finding: Finding, version: int, photos: list[str]
) -> dict[str, Any]:
    """The finding's next version (or 409 when ``version`` is not the current one); its facts
    with its photos, for the audit trail."""
    before = {**finding_facts(finding), "photos": photos}
    await versioned_update(
        session,
        Finding,
        finding,
        version,
        {"version": version + 1},
        lambda: finding_facts(finding),
    )
    return before


async def attach_photo(
    session: AsyncSession,
    storage: Storage,
    user: User,
    application: Application,
    finding: Finding,
    upload: Upload,
) -> FindingPhoto:
    """Check, store and record one photo of the finding (committed), or raise and keep nothing."""
    _check(user, application, finding)
    content_type = accepted_type(upload.content, upload.limit, PHOTO)
    held = [str(p.id) for p in (await photos_of(session, [finding.id])).get(finding.id, [])]
    if len(held) >= FINDING_PHOTOS_MAX:
        raise Rejected(Message("photo.too_many", {"max": FINDING_PHOTOS_MAX}))
    digest = hashlib.sha256(upload.content).hexdigest()
    photo = FindingPhoto(
        finding_id=finding.id,
        application_id=application.id,
        enterprise_id=application.enterprise_id,
        filename=clean_filename(upload.filename, content_type),
        content_type=content_type,
        size=len(upload.content),
        sha256=digest,
        storage_key=f"findings/{application.enterprise_id}/{digest}",
        uploaded_by=user.id,
    )

    async def record() -> None:
        before = await _touch(session, finding, finding.version, held)
        session.add(photo)
        await session.flush()
        after = {**finding_facts(finding), "photos": [*held, str(photo.id)]}
        _audit(session, "finding.photo_added", user, application, before, after, photo)

    await store_and_commit(
        PHOTO, session, storage, photo.storage_key, upload.content, record, _referenced
    )
    return photo


async def remove_photo(
    session: AsyncSession,
    storage: Storage,
    user: User,
    application: Application,
    finding: Finding,
    photo: FindingPhoto,
    version: int,
) -> None:
    """Remove a photo of the finding; ``version`` is the finding's as read (else 409)."""
    _check(user, application, finding)
    held = [str(p.id) for p in (await photos_of(session, [finding.id])).get(finding.id, [])]
    before = await _touch(session, finding, version, held)
    after = {**finding_facts(finding), "photos": [p for p in held if p != str(photo.id)]}
    key = photo.storage_key
    await session.delete(photo)
    _audit(session, "finding.photo_removed", user, application, before, after, photo)
    await session.commit()  # the row goes first; then the file, if nothing else uses it
    await discard_unreferenced(session, storage, key, _referenced)


def _audit(
    session: AsyncSession,
    action: str,
    user: User,
    application: Application,
    before: dict[str, Any],
    after: dict[str, Any],
    photo: FindingPhoto,
) -> None:
    audit(
        session,
        action,
        user,
        enterprise_id=application.enterprise_id,
        application_id=application.id,
        before={"finding": before},
        after={"finding": after, "photo": photo_facts(photo)},
    )
