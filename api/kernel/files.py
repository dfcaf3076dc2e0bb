"""Stored uploads, shared by evidence files and finding photos: the checks on the bytes (size,
type by content), storing before the row is committed (and cleaning up when it is not), and the
download response."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import anyio
from litestar import Response
from litestar.plugins.problem_details import ProblemDetailsException
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.kernel.errors import Rejected, coded
from anbiao.api.kernel.storage import Storage
from anbiao.api.kernel.uploads import (
    EXTENSIONS,
    JPEG,
    PNG,
    WEBP,
    content_disposition,
    sniff,
)
from anbiao.core.errors import Message

log = logging.getLogger(__name__)

# Whether a storage key is still used by a committed row (then its bytes stay).
Referenced = Callable[[AsyncSession, str], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Kind:
    """What is stored: the types it may have and its messages (unsupported type, storage
    unavailable, stored file missing)."""

    allowed: tuple[str, ...]
    unsupported: Message
    unavailable: Message
    missing: Message


EVIDENCE = Kind(
    tuple(EXTENSIONS),
    Message("evidence.unsupported_type"),
    Message("evidence.storage_unavailable"),
    Message("evidence.file_missing"),
)
PHOTO = Kind(
    (JPEG, PNG, WEBP),
    Message("photo.unsupported_type"),
    Message("photo.storage_unavailable"),
    Message("photo.file_missing"),
)


def unavailable(kind: Kind) -> ProblemDetailsException:
    return coded(ProblemDetailsException(status_code=503), kind.unavailable)


def too_large(limit: int) -> ProblemDetailsException:
    problem = ProblemDetailsException(status_code=413, extra={"max_bytes": limit})
    return coded(problem, Message("file.too_large", {"limit": limit}))


def accepted_type(content: bytes, limit: int, kind: Kind) -> str:
    """The type sniffed from an acceptable file's bytes; too large (413), empty (422) or of
    a type ``kind`` does not allow (415) raise."""
    if len(content) > limit:
        raise too_large(limit)
    if not content:
        raise Rejected(Message("file.empty"))
    content_type = sniff(content)
    if content_type is None or content_type not in kind.allowed:
        allowed = sorted(e for t in kind.allowed for e in EXTENSIONS[t])
        raise coded(
            ProblemDetailsException(status_code=415, extra={"allowed": allowed}), kind.unsupported
        )
    return content_type


async def discard_unreferenced(
    session: AsyncSession, storage: Storage, key: str, referenced: Referenced
) -> None:
    """Remove a stored file no committed row uses; on doubt keep it (an orphan file is better
    than a row whose file is gone)."""
    with anyio.CancelScope(shield=True):
        try:
            if not await referenced(session, key):
                await storage.delete(key)
        except Exception:
            log.warning("could not clean up stored file %s", key, exc_info=True)


async def store_and_commit(
    kind: Kind,
    session: AsyncSession,
    storage: Storage,
    key: str,
    content: bytes,
    record: Callable[[], Awaitable[None]],
    referenced: Referenced,
) -> None:
    """The file first, then ``record`` (its row and audit event) in one commit; a failed commit
    removes the file again unless another committed row holds the same bytes."""
    try:
        await storage.put(key, content)
    except Exception as exc:
        log.exception("file storage failed to store %s", key)
        raise unavailable(kind) from exc
    try:
        await record()
        await session.commit()
    except BaseException:
        with anyio.CancelScope(shield=True):
            await session.rollback()
        await discard_unreferenced(session, storage, key, referenced)
        raise


class StoredRow(Protocol):
    """A row naming stored bytes (an evidence file, a finding photo)."""

    @property
    def storage_key(self) -> str: ...
    @property
    def filename(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def sha256(self) -> str: ...


async def stored_file(kind: Kind, storage: Storage, row: StoredRow) -> Response[bytes]:
    """The bytes ``row`` names as an attachment with its sniffed type; a missing file is a 500
    (logged), a failing storage a 503."""
    key = row.storage_key
    try:
        content = await storage.get(key)
    except FileNotFoundError as exc:
        log.error("stored file %s is missing", key)
        raise coded(ProblemDetailsException(status_code=500), kind.missing) from exc
    except Exception as exc:
        log.exception("file storage failed to read %s", key)
        raise unavailable(kind) from exc
    return Response(
        content,
        media_type=row.content_type.split(";")[0],  # Litestar adds charset=utf-8 to text/*
        headers={
            "Content-Disposition": content_disposition(row.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "ETag": f'"{row.sha256}"',
        },
    )
