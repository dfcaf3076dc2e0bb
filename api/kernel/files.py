"""Stored uploads, shared by evidence files and finding photos: the checks on the bytes (size,
type by content), storing before the row is committed (and cleaning up when it is not), and the
download response."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
from litestar import Response
from litestar.plugins.problem_details import ProblemDetailsException
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.kernel.errors import Rejected
from anbiao.api.kernel.storage import Storage
from anbiao.api.kernel.uploads import (
    ALLOWED,
    EXTENSIONS,
    JPEG,
    PNG,
    WEBP,
    content_disposition,
    sniff,
)

log = logging.getLogger(__name__)

# Whether a storage key is still used by a committed row (then its bytes stay).
Referenced = Callable[[AsyncSession, str], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Kind:
    """What is stored, as its messages name it, and the types it may have."""

    zh: str
    en: str
    allowed: tuple[str, ...]
    zh_types: str
    en_types: str


EVIDENCE = Kind(
    "证据",
    "evidence",
    tuple(EXTENSIONS),
    "PDF、JPEG、PNG、WebP、Word (.docx)、Excel (.xlsx) 和 UTF-8 文本",
    ALLOWED,
)
PHOTO = Kind("照片", "photo", (JPEG, PNG, WEBP), "JPEG、PNG、WebP 图片", "JPEG, PNG, WebP images")


def unavailable(kind: Kind) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=503,
        detail=f"{kind.zh}存储暂不可用，请稍后再试 / {kind.en} storage is unavailable",
    )


def too_large(limit: int) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=413,
        detail=f"文件过大（上限 {limit} 字节） / file too large (limit {limit} bytes)",
        extra={"max_bytes": limit},
    )


def accepted_type(content: bytes, limit: int, kind: Kind) -> str:
    """The type sniffed from an acceptable file's bytes; too large (413), empty (422) or of
    a type ``kind`` does not allow (415) raise."""
    if len(content) > limit:
        raise too_large(limit)
    if not content:
        raise Rejected("文件为空 / the file is empty")
    content_type = sniff(content)
    if content_type is None or content_type not in kind.allowed:
        raise ProblemDetailsException(
            status_code=415,
            detail=f"不支持的文件类型，仅限 {kind.zh_types}（按文件内容判断） / unsupported file "
            f"type: allowed are {kind.en_types}, judged by content",
            extra={"allowed": sorted(e for t in kind.allowed for e in EXTENSIONS[t])},
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


async def stored_file(
    kind: Kind, storage: Storage, key: str, *, filename: str, content_type: str, sha256: str
) -> Response[bytes]:
    """A stored file as an attachment with its sniffed type; a missing file is a 500 (logged),
    a failing storage a 503."""
    try:
        content = await storage.get(key)
    except FileNotFoundError as exc:
        log.error("stored file %s is missing", key)
        raise ProblemDetailsException(
            status_code=500,
            detail=f"{kind.zh}文件缺失，请联系管理员 / the stored {kind.en} file is missing",
        ) from exc
    except Exception as exc:
        log.exception("file storage failed to read %s", key)
        raise unavailable(kind) from exc
    return Response(
        content,
        media_type=content_type.split(";")[0],  # Litestar adds charset=utf-8 to text/*
        headers={
            "Content-Disposition": content_disposition(filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "ETag": f'"{sha256}"',
        },
    )
