"""Evidence file storage: a tiny key → bytes interface with a disk and an object-store backend.

* :class:`DiskStorage` (default) keeps files under ``Settings.upload_dir``; writes go to a
  temporary file first and are renamed into place, so a reader never sees half a file.
* :class:`ObjectStorage` wraps an `obstore <https://developmentseed.org/obstore/>`_ store:
  S3 and S3-compatible services (MinIO, Ceph, OSS/COS in S3 mode) from
  ``ANBIAO_STORAGE_URL=s3://bucket/prefix``; also ``memory://`` for tests and demos.

obstore (one Rust wheel, no Python dependencies) is what advanced-alchemy's own
``ObstoreBackend`` builds on; we call it directly because evidence needs only put/get/delete by
key, not ``FileObject`` columns. Endpoint and credentials come from the usual AWS variables,
read by obstore itself: ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``, ``AWS_REGION`` (or ``AWS_DEFAULT_REGION``). An ``http://`` endpoint
(a MinIO on the intranet) is allowed only when ``ANBIAO_STORAGE_ALLOW_HTTP=true``.

Keys are chosen by the service (``<enterprise id>/<sha256>``), never by a client; both
backends still refuse keys that could leave their root.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import anyio.to_thread
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from anbiao.api.kernel.settings import Settings

if TYPE_CHECKING:
    from obstore.store import ClientConfig  # a TypedDict that exists for type checkers only

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class StorageError(Exception):
    """A misconfigured or failing evidence storage."""


def check_key(key: str) -> str:
    """A relative key of plain segments: no ``..``, no absolute path, no backslash."""
    if not _KEY.match(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


@runtime_checkable
class Storage(Protocol):
    """Where evidence bytes live. ``put`` is idempotent; ``delete`` of a missing key is a no-op;
    ``get`` of a missing key raises :class:`FileNotFoundError`."""

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class DiskStorage:
    """Files under a root folder; the key's segments become sub-folders."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"DiskStorage({str(self.root)!r})"

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes) -> None:
        await anyio.to_thread.run_sync(self._put, self.path(key), data)

    async def get(self, key: str) -> bytes:
        return await anyio.to_thread.run_sync(self.path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(self._delete, self.path(key))

    @staticmethod
    def _put(target: Path, data: bytes) -> None:
        if target.is_file() and target.stat().st_size == len(data):
            return  # content-addressed: the same key holds the same bytes
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _delete(self, target: Path) -> None:
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != self.root and self.root in parent.parents:
            try:
                parent.rmdir()  # only if empty
            except OSError:
                break
            parent = parent.parent


class ObjectStorage:
    """Any obstore ``ObjectStore`` (S3Store, MemoryStore, …)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def __repr__(self) -> str:
        return f"ObjectStorage({self.store!r})"

    async def put(self, key: str, data: bytes) -> None:
        import obstore

        await obstore.put_async(self.store, check_key(key), data)

    async def get(self, key: str) -> bytes:
        import obstore

        result = await obstore.get_async(self.store, check_key(key))
        return bytes(await result.bytes_async())

    async def delete(self, key: str) -> None:
        import obstore

        with contextlib.suppress(FileNotFoundError):  # deleting is idempotent
            await obstore.delete_async(self.store, check_key(key))


class StorageSettings(BaseSettings):
    """``ANBIAO_STORAGE_*``: where evidence goes (kept here, beside the backends)."""

    model_config = SettingsConfigDict(env_prefix="ANBIAO_", extra="ignore")

    storage_url: str = Field(
        default="",
        description="Empty: disk under ANBIAO_UPLOAD_DIR. Or file:///path, s3://bucket/prefix, "
        "memory://.",
    )
    storage_allow_http: bool = Field(
        default=False, description="Allow an http:// S3 endpoint (e.g. an intranet MinIO)."
    )


def make_storage(settings: Settings, storage: StorageSettings | None = None) -> Storage:
    """The storage the settings select (see the module docstring)."""
    storage = storage or StorageSettings()
    url = storage.storage_url.strip() or str(getattr(settings, "storage_url", "") or "")
    if not url:
        return DiskStorage(settings.upload_dir)
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme == "file":
        return DiskStorage(Path(rest))
    if scheme == "memory":
        from obstore.store import MemoryStore

        return ObjectStorage(MemoryStore())
    if scheme in ("s3", "s3a"):
        from obstore.store import S3Store

        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise StorageError(f"no bucket in ANBIAO_STORAGE_URL: {url!r}")
        client_options: ClientConfig | None = (
            {"allow_http": True} if storage.storage_allow_http else None
        )
        try:  # obstore reads endpoint, region and credentials from the AWS_* variables
            store = S3Store(bucket, prefix=prefix.strip("/") or None, client_options=client_options)
        except Exception as exc:  # obstore's configuration errors
            raise StorageError(f"S3 storage {url!r} is misconfigured: {exc}") from exc
        return ObjectStorage(store)
    raise StorageError(f"unsupported ANBIAO_STORAGE_URL scheme: {url!r}")


def storage_for(app: Any) -> Storage:
    """The application's evidence storage, built once from its settings (tests may set
    ``app.state.evidence_storage`` beforehand)."""
    found: Storage | None = app.state.get("evidence_storage")
    if found is None:
        found = make_storage(app.state.settings)
        app.state.evidence_storage = found
    return found


__all__ = [
    "DiskStorage",
    "ObjectStorage",
    "Storage",
    "StorageError",
    "StorageSettings",
    "check_key",
    "make_storage",
    "storage_for",
]
