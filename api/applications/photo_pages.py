"""Photos of a finding on the application page: the reviewer takes them with the phone's camera
or picks files (the page's script scales large photos down and sends each one), everyone who
sees the application sees them as thumbnails, and the reviewer removes them while the round is
open. The rules are in ``anbiao.api.applications.photos``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.sessions import ANYONE, signed_in
from anbiao.api.applications import photos
from anbiao.api.applications.pages import on_application
from anbiao.api.kernel.access import get_finding, get_finding_photo
from anbiao.api.kernel.errors import Rejected
from anbiao.api.kernel.files import PHOTO, stored_file
from anbiao.api.kernel.forms import form_data
from anbiao.api.kernel.models import Role, User
from anbiao.api.kernel.pages import page, see_other
from anbiao.api.kernel.storage import storage_for
from anbiao.core.engine import Engine
from anbiao.core.errors import Message

BASE = "/applications/{application_id:uuid}/findings/{finding_id:uuid}/photos"


@post(BASE, guards=[signed_in(Role.reviewer)], status_code=200)
async def upload_photos(
    request: Request[Any, Any, Any],
    application_id: FromPath[UUID],
    finding_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect:
    """Photos for one's own finding (from the camera or chosen files). The page's script gets
    the finding's photo list back; a plain form goes back to the finding."""
    application, finding = await get_finding(db_session, viewer, application_id, finding_id)
    form = await request.form()
    chosen = [
        f for name in ("photo", "file") for f in form.getall(name, []) if isinstance(f, UploadFile)
    ]
    chosen = [f for f in chosen if f.filename]
    if not chosen:
        raise Rejected(Message("photo.no_file"))
    limit = request.app.state.settings.max_upload_bytes
    storage = storage_for(request.app)
    for file in chosen:
        content = await file.read(limit + 1)
        await file.close()
        upload = photos.Upload(file.filename, content, limit)
        await photos.attach_photo(db_session, storage, viewer, application, finding, upload)
    if not request.headers.get("hx-request"):
        return see_other(f"/applications/{application.id}#finding-{finding.id}")
    held = await photos.photos_of(db_session, [finding.id])
    return page(
        request,
        "shared/finding_photos.html",
        application=application,
        f=finding,
        photos=held,
    )


@get(BASE + "/{photo_id:uuid}", guards=ANYONE)
async def photo_file(
    request: Request[Any, Any, Any],
    application_id: FromPath[UUID],
    finding_id: FromPath[UUID],
    photo_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
) -> Response[bytes]:
    """A finding's photo, for whoever sees the application."""
    _, finding = await get_finding(db_session, viewer, application_id, finding_id)
    photo = await get_finding_photo(db_session, viewer, finding.id, photo_id)
    return await stored_file(PHOTO, storage_for(request.app), photo)


@post(BASE + "/{photo_id:uuid}/delete", guards=[signed_in(Role.reviewer)], status_code=303)
async def delete_photo(
    request: Request[Any, Any, Any],
    application_id: FromPath[UUID],
    finding_id: FromPath[UUID],
    photo_id: FromPath[UUID],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Redirect | Template:
    """Remove a photo with the finding's version as the page read it; a stale page gets the
    application page back with the conflict (409), nothing removed."""
    application, finding = await get_finding(db_session, viewer, application_id, finding_id)
    photo = await get_finding_photo(db_session, viewer, finding.id, photo_id)
    version = int((await form_data(request)).get("version") or 0)
    storage = storage_for(request.app)
    return await on_application(
        request,
        db_session,
        engine,
        viewer,
        application,
        version,
        [],
        lambda ctx: photos.remove_photo(
            db_session, storage, viewer, application, finding, photo, version
        ),
        f"#finding-{finding.id}",
    )


HANDLERS = [upload_photos, photo_file, delete_photo]
