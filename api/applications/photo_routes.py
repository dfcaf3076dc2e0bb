"""Photos of a finding (现场照片) through the JSON API: upload, list, download, remove.
The rules are in ``anbiao.api.applications.photos``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, MultipartBody, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.security import requires
from anbiao.api.applications import photos
from anbiao.api.kernel.access import get_finding, get_finding_photo
from anbiao.api.kernel.files import PHOTO, stored_file
from anbiao.api.kernel.limits import INT_MAX
from anbiao.api.kernel.listing import Limit, Offset, page
from anbiao.api.kernel.models import FindingPhoto, Role, User
from anbiao.api.kernel.schemas import Output, Page
from anbiao.api.kernel.storage import Storage, storage_for


@dataclass
class PhotoForm:
    """multipart/form-data: one photo (JPEG, PNG or WebP)."""

    file: UploadFile


class FindingPhotoOut(Output):
    id: UUID
    finding_id: UUID
    application_id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UUID
    created_at: datetime


class FindingPhotoAdded(FindingPhotoOut):
    finding_version: int


def provide_storage(request: Request[Any, Any, Any]) -> Storage:
    return storage_for(request.app)


FindingVersion = Annotated[
    int,
    QueryParameter(ge=0, le=INT_MAX, description="The finding's version as read (else 409)."),
]


class FindingPhotoController(Controller):
    path = "/api/v1/applications/{application_id:uuid}/findings/{finding_id:uuid}/photos"
    tags = ("applications",)
    dependencies: Mapping[str, Provide] = {
        "storage": Provide(provide_storage, sync_to_thread=False)
    }

    @post("/", operation_id="uploadFindingPhoto", guards=[requires(Role.reviewer)], status_code=201)
    async def upload(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        finding_id: FromPath[UUID],
        data: MultipartBody[PhotoForm],
        db_session: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
    ) -> FindingPhotoAdded:
        """Attach a photo to one's own open finding while the review is under way.

        JPEG, PNG or WebP by content (else 415); at most the service's upload limit (else 413);
        not the author (403); the finding withdrawn or raised, or the review over (409). The
        finding's ``version`` goes up (``finding_version``)."""
        application, finding = await get_finding(
            db_session, request.user, application_id, finding_id
        )
        limit = request.app.state.settings.max_upload_bytes
        content = await data.file.read(limit + 1)
        await data.file.close()
        upload = photos.Upload(data.file.filename, content, limit)
        photo = await photos.attach_photo(
            db_session, storage, request.user, application, finding, upload
        )
        return FindingPhotoAdded.model_validate(
            {
                **FindingPhotoOut.model_validate(photo).model_dump(),
                "finding_version": finding.version,
            }
        )

    @get("/", operation_id="listFindingPhotos")
    async def list_photos(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        finding_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[FindingPhotoOut]:
        """The finding's photos, oldest first, for whoever sees its application."""
        _, finding = await get_finding(db_session, request.user, application_id, finding_id)
        query = (
            select(FindingPhoto)
            .where(FindingPhoto.finding_id == finding.id)
            .order_by(FindingPhoto.created_at, FindingPhoto.id)
        )
        data = await page(db_session, query, limit, offset, FindingPhotoOut.model_validate)
        return Page[FindingPhotoOut].model_validate(data)

    @get(
        "/{photo_id:uuid}",
        operation_id="downloadFindingPhoto",
        media_type="application/octet-stream",
    )
    async def download(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        finding_id: FromPath[UUID],
        photo_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
    ) -> Response[bytes]:
        """The photo's bytes with its sniffed type, as an attachment."""
        _, finding = await get_finding(db_session, request.user, application_id, finding_id)
        photo = await get_finding_photo(db_session, request.user, finding.id, photo_id)
        return await stored_file(PHOTO, storage, photo)

    @delete(
        "/{photo_id:uuid}",
        operation_id="deleteFindingPhoto",
        guards=[requires(Role.reviewer)],
        status_code=204,
    )
    async def remove(
        self,
        request: Request[User, Any, Any],
        application_id: FromPath[UUID],
        finding_id: FromPath[UUID],
        photo_id: FromPath[UUID],
        version: FindingVersion,
        db_session: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
    ) -> None:
        """Remove a photo of one's own open finding (``version``: the finding's, as read)."""
        user = request.user
        application, finding = await get_finding(db_session, user, application_id, finding_id)
        photo = await get_finding_photo(db_session, user, finding.id, photo_id)
        await photos.remove_photo(db_session, storage, user, application, finding, photo, version)
