"""Evidence files (证据材料) for self-assessment items: upload, list, download, delete.

* Upload: the enterprise's own users, while the assessment is not frozen under an application.
  The type is decided by the file's first bytes, never by the client's content type or name.
* Read: the enterprise, admins of its region, and reviewers assigned to an application of
  that assessment (any cycle). Anything else is "not found" (404), as in
  ``anbiao.api.kernel.access``.
* Bytes live in ``anbiao.api.kernel.storage`` under ``<enterprise id>/<sha256>``; a failed database
  write removes the file again unless another evidence row of the enterprise holds it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, MultipartBody, QueryParameter
from sqlalchemy import Select, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.security import requires
from anbiao.api.assessments.service import is_frozen
from anbiao.api.kernel.access import Columns, get_assessment, not_found
from anbiao.api.kernel.audit import audit
from anbiao.api.kernel.errors import Conflict, Rejected
from anbiao.api.kernel.files import (
    EVIDENCE,
    accepted_type,
    discard_unreferenced,
    store_and_commit,
    stored_file,
)
from anbiao.api.kernel.limits import NOTE_MAX, text_problem
from anbiao.api.kernel.listing import FormatQuery, Limit, Offset, listing, page
from anbiao.api.kernel.models import (
    Application,
    Assessment,
    Assignment,
    Enterprise,
    Evidence,
    Role,
    User,
)
from anbiao.api.kernel.schemas import Output, Page
from anbiao.api.kernel.storage import Storage, storage_for
from anbiao.api.kernel.uploads import clean_filename, sniff
from anbiao.core.engine import Engine
from anbiao.core.errors import Message


def _reviewed_assessments(user: User) -> Select[UUID]:
    """Assessments of the applications this reviewer is assigned to (any cycle)."""
    assigned = select(Assignment.application_id).where(Assignment.reviewer_id == user.id)
    return select(Application.assessment_id).where(Application.id.in_(assigned))


def scope_evidence(query: Select[*Columns], user: User) -> Select[*Columns]:
    if user.role == Role.enterprise:
        return query.where(Evidence.enterprise_id == user.enterprise_id)
    if user.role == Role.admin:
        regional = select(Enterprise.id).where(Enterprise.region.startswith(user.region_prefix))
        return query.where(Evidence.enterprise_id.in_(regional))
    if user.role == Role.reviewer:
        return query.where(Evidence.assessment_id.in_(_reviewed_assessments(user)))
    return query.where(false())


async def readable_assessment(session: AsyncSession, user: User, assessment_id: UUID) -> Assessment:
    """``access.get_assessment`` plus reviewers assigned to an application of the assessment:
    they read its evidence, not its working answers."""
    if user.role != Role.reviewer:
        return await get_assessment(session, user, assessment_id)
    query = select(Assessment).where(
        Assessment.id == assessment_id, Assessment.id.in_(_reviewed_assessments(user))
    )
    if (found := await session.scalar(query)) is None:
        raise not_found("assessment.not_found")
    return found


async def get_evidence(session: AsyncSession, user: User, evidence_id: UUID) -> Evidence:
    query = scope_evidence(select(Evidence).where(Evidence.id == evidence_id), user)
    if (found := await session.scalar(query)) is None:
        raise not_found("evidence.not_found")
    return found


# --- bodies ---------------------------------------------------------------------------------------


@dataclass
class EvidenceForm:
    """multipart/form-data: the file, the checklist item it supports, an optional note."""

    file: UploadFile
    item_id: str
    note: str = ""


class EvidenceOut(Output):
    id: UUID
    enterprise_id: UUID
    assessment_id: UUID
    item_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    note: str
    uploaded_by: UUID | None
    created_at: datetime


def _facts(evidence: Evidence) -> dict[str, Any]:
    return {
        "evidence": str(evidence.id),
        "assessment": str(evidence.assessment_id),
        "item_id": evidence.item_id,
        "filename": evidence.filename,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
    }


async def _referenced(session: AsyncSession, key: str) -> bool:
    count = await session.scalar(
        select(func.count()).select_from(Evidence).where(Evidence.storage_key == key)
    )
    return bool(count)


async def store_evidence(
    session: AsyncSession,
    storage: Storage,
    engine: Engine,
    user: User,
    assessment: Assessment,
    *,
    item_id: str,
    note: str,
    filename: str | None,
    content: bytes,
    limit: int,
) -> Evidence:
    """Check, store and record one evidence file (committed), or raise and keep nothing."""
    if await is_frozen(session, assessment):
        raise Conflict(Message("evidence.frozen"))
    item_id = item_id.strip()
    composed = engine.profile_of(assessment.profile)[1]
    if item_id not in composed.items:
        raise Rejected(Message("evidence.unknown_item", {"item": item_id[:96]}))
    note = note.strip()  # documented: an evidence note loses surrounding white space
    if len(note) > NOTE_MAX:
        raise Rejected(Message("evidence.note_too_long", {"max": NOTE_MAX}))
    if problem := text_problem(note, multiline=True):
        raise Rejected(Message("evidence.note_invalid", {"problem": problem}))
    content_type = accepted_type(content, limit, EVIDENCE)
    digest = hashlib.sha256(content).hexdigest()
    key = f"{assessment.enterprise_id}/{digest}"
    evidence = Evidence(
        enterprise_id=assessment.enterprise_id,
        assessment_id=assessment.id,
        item_id=item_id,
        filename=clean_filename(filename, content_type),
        content_type=content_type,
        size=len(content),
        sha256=digest,
        storage_key=key,
        note=note,
        uploaded_by=user.id,
    )
    await _store_and_commit(session, storage, user, evidence, content)
    return evidence


async def _store_and_commit(
    session: AsyncSession, storage: Storage, user: User, evidence: Evidence, content: bytes
) -> None:
    async def record() -> None:
        session.add(evidence)
        await session.flush()
        audit(
            session,
            "evidence.uploaded",
            user,
            enterprise_id=evidence.enterprise_id,
            after=_facts(evidence),
        )

    await store_and_commit(
        EVIDENCE, session, storage, evidence.storage_key, content, record, _referenced
    )


def provide_storage(request: Request[Any, Any, Any]) -> Storage:
    return storage_for(request.app)


ItemFilter = Annotated[str | None, QueryParameter(max_length=96, description="Only this item.")]


class EvidenceController(Controller):
    path = "/api/v1"
    tags = ("evidence",)
    dependencies: Mapping[str, Provide] = {
        "storage": Provide(provide_storage, sync_to_thread=False)
    }

    @post(
        "/assessments/{assessment_id:uuid}/evidence",
        operation_id="uploadEvidence",
        guards=[requires(Role.enterprise)],
        status_code=201,
    )
    async def upload(
        self,
        request: Request[User, Any, Any],
        assessment_id: FromPath[UUID],
        data: MultipartBody[EvidenceForm],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
        storage: NamedDependency[Storage],
    ) -> EvidenceOut:
        """Upload an evidence file (证据材料) for one checklist item.

        Allowed by content: PDF, JPEG, PNG, WebP, .docx, .xlsx, UTF-8 text (else 415); at most
        the service's upload limit (else 413); the item must be in the checklist (else 422); not
        while the assessment is under an active application (409)."""
        assessment = await get_assessment(db_session, request.user, assessment_id)
        limit = request.app.state.settings.max_upload_bytes
        content = await data.file.read(limit + 1)
        await data.file.close()
        evidence = await store_evidence(
            db_session,
            storage,
            engine,
            request.user,
            assessment,
            item_id=data.item_id,
            note=data.note,
            filename=data.file.filename,
            content=content,
            limit=limit,
        )
        return EvidenceOut.model_validate(evidence)

    @get("/assessments/{assessment_id:uuid}/evidence", operation_id="listEvidence")
    async def list_evidence(
        self,
        request: Request[User, Any, Any],
        assessment_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        item_id: ItemFilter = None,
        limit: Limit = 50,
        offset: Offset = 0,
        fmt: FormatQuery = "json",
    ) -> Page[EvidenceOut]:
        """Evidence of an assessment, by item (``?item_id=``); ``format=csv`` downloads it."""
        assessment = await readable_assessment(db_session, request.user, assessment_id)
        query = scope_evidence(
            select(Evidence).where(Evidence.assessment_id == assessment.id), request.user
        )
        if item_id:
            query = query.where(Evidence.item_id == item_id)
        query = query.order_by(Evidence.item_id, Evidence.created_at, Evidence.id)
        data = await page(db_session, query, limit, offset, EvidenceOut.model_validate)
        return listing(data, Page[EvidenceOut], fmt, "evidence")

    @get(
        "/evidence/{evidence_id:uuid}",
        operation_id="downloadEvidence",
        media_type="application/octet-stream",
    )
    async def download(
        self,
        request: Request[User, Any, Any],
        evidence_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
    ) -> Response[bytes]:
        """The file's bytes with the sniffed content type, as an attachment."""
        evidence = await get_evidence(db_session, request.user, evidence_id)
        return await stored_file(EVIDENCE, storage, evidence)

    @delete(
        "/evidence/{evidence_id:uuid}",
        operation_id="deleteEvidence",
        guards=[requires(Role.enterprise)],
        status_code=204,
    )
    async def remove(
        self,
        request: Request[User, Any, Any],
        evidence_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
    ) -> None:
        """Delete an evidence file, not while its assessment is under an active application."""
        user = request.user
        evidence = await get_evidence(db_session, user, evidence_id)
        assessment = await db_session.get_one(Assessment, evidence.assessment_id)
        if await is_frozen(db_session, assessment):
            raise Conflict(Message("evidence.frozen_delete"))
        facts, key = _facts(evidence), evidence.storage_key
        await db_session.delete(evidence)
        audit(
            db_session, "evidence.deleted", user, enterprise_id=evidence.enterprise_id, before=facts
        )
        await db_session.commit()  # the row goes first; then the file, if nothing else uses it
        await discard_unreferenced(db_session, storage, key, _referenced)


__all__ = ["EvidenceController", "clean_filename", "scope_evidence", "sniff", "store_evidence"]
