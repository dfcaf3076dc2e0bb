"""Authentication (argon2 passwords, JWT bearer tokens, login throttling) and role guards.

Per-object authorization lives in ``anbiao.api.kernel.access``: every lookup is scoped to what the
caller may see, so a foreign object is simply not found (404).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar, Self, cast

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AuthenticationResult
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token
from litestar.types import Guard
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.kernel.db import SAFE_METHODS, lookup_session
from anbiao.api.kernel.errors import coded
from anbiao.api.kernel.models import Role, User
from anbiao.api.kernel.settings import Settings, get_settings
from anbiao.api.kernel.sqlite import READ_ONLY
from anbiao.core.errors import Message


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


def password_hasher(settings: Settings | None = None) -> PasswordHasher:
    """argon2id with the parameters of ``settings`` (default: the environment's)."""
    s = settings or get_settings()
    return _hasher(s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism)


@lru_cache(maxsize=8)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the account does not exist, so that timing does not
    reveal accounts."""
    return hasher.hash("anbiao-dummy-password")


def hash_password(password: str, settings: Settings | None = None) -> str:
    return password_hasher(settings).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Any parameters: a hash names those it was made with."""
    try:
        return password_hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def authenticate(
    session: AsyncSession, settings: Settings, email: str, password: str
) -> User:
    """The user for these credentials; counts failures and locks the account for a while."""
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    now = datetime.now(UTC)
    hasher = password_hasher(settings)
    if user is None:
        verify_password(_dummy_hash(hasher), password)
        raise coded(NotAuthorizedException(), Message("login.wrong_credentials"))
    locked_until = user.locked_until
    if locked_until is not None and locked_until.replace(tzinfo=locked_until.tzinfo or UTC) > now:
        raise coded(NotAuthorizedException(), Message("login.locked"))
    if not verify_password(user.password_hash, password):
        await _count_failure(session, settings, user, now)
        raise coded(NotAuthorizedException(), Message("login.wrong_credentials"))
    rehash = hasher.check_needs_rehash(user.password_hash)
    if rehash:  # made with other argon2 parameters: hash again with the current ones
        user.password_hash = await asyncio.to_thread(hasher.hash, password)
    if rehash or user.failed_logins or user.locked_until:
        user.failed_logins, user.locked_until = 0, None
        await session.commit()
    return user


async def _count_failure(
    session: AsyncSession, settings: Settings, user: User, now: datetime
) -> None:
    """One more failed log-in, counted in the database (``failed_logins + 1``, not a value read
    before): failures sent at once to several workers or hosts all count."""
    row = update(User).where(User.id == user.id).execution_options(synchronize_session=False)
    failures = await session.scalar(
        row.values(failed_logins=User.failed_logins + 1).returning(User.failed_logins)
    )
    if failures is not None and failures >= settings.login_max_failures:
        lock = now + timedelta(minutes=settings.login_lock_minutes)
        await session.execute(row.values(locked_until=lock, failed_logins=0))
    await session.commit()


@dataclass(slots=True)
class AccountCache:
    """Accounts as read for tokens, reused by one worker for ``seconds``: the lookup was a
    database round trip on every request (more CPU than a whole bare request). Detached
    objects, never changed by a request; unknown accounts are not kept."""

    seconds: float
    now: Callable[[], float] = time.monotonic
    limit: int = 10_000  # accounts; all are dropped when full
    _kept: dict[str, tuple[float, User]] = field(default_factory=dict)

    def get(self, user_id: str) -> User | None:
        kept = self._kept.get(user_id)
        return kept[1] if kept is not None and kept[0] > self.now() else None

    def keep(self, user: User) -> None:
        if self.seconds <= 0:
            return
        if len(self._kept) >= self.limit:
            self._kept.clear()
        self._kept[str(user.id)] = (self.now() + self.seconds, user)


async def _retrieve_user(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> User | None:
    """The token's account: kept by the worker for a few seconds, else read in a session of
    its own, closed before the handler runs (its connection back in the pool), and detached.
    A request never holds two pooled connections at once: with the request's session held
    here, a full pool of requests would each wait for a second connection (the hot reads take
    their own) and none would finish."""
    READ_ONLY.set(connection.scope.get("method") in SAFE_METHODS)  # the request's task: it persists
    state = connection.app.state
    kept: User | None = state.accounts.get(token.sub)
    if kept is not None:
        return kept
    async with lookup_session(state) as session:
        if (user := await session.get(User, token.sub)) is not None:
            session.expunge(user)
            state.accounts.keep(user)
    return user


class KeptToken(Token):
    """A bearer token whose verified decoding is kept by the worker until it expires: the same
    token string, secret and options decode to the same token, so a phone's autosaves verify its
    signature once, not on every request (PyJWT's decoding: about 0.08 ms of each request).
    Bounded (all dropped when full); a token with a not-before claim is not kept."""

    LIMIT: ClassVar[int] = 10_000
    _kept: ClassVar[dict[tuple[object, ...], KeptToken]] = {}

    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_nbf: bool = True,
        strict_audience: bool = False,
    ) -> Self:
        options = (audience, issuer, require_claims, verify_exp, verify_nbf, strict_audience)
        key = (encoded_token, secret, algorithm, *map(_hashable, options))
        kept = cls._kept.get(key)
        if kept is not None and (kept.exp.timestamp() > time.time() or not verify_exp):
            return cast(Self, kept)
        token = super().decode(encoded_token, secret, algorithm, *options)  # or raises
        if "nbf" not in token.extras:
            if len(cls._kept) >= cls.LIMIT:
                cls._kept.clear()
            cls._kept[key] = token
        return token


def _hashable(option: object) -> object:
    return tuple(option) if isinstance(option, list | tuple) else option


class CodedJWTMiddleware(JWTAuthenticationMiddleware):
    """Litestar's bearer-token check, its refusals coded: no token (``login.required``), or one
    that is malformed, expired or names no account (``login.invalid_token``)."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        if not connection.headers.get(self.auth_header):
            raise coded(NotAuthorizedException(), Message("login.required"))
        try:
            return await super().authenticate_request(connection)
        except NotAuthorizedException as exc:
            if getattr(exc, "messages", ()):
                raise
            raise coded(NotAuthorizedException(), Message("login.invalid_token")) from exc


def make_jwt_auth(settings: Settings) -> JWTAuth[User]:
    return JWTAuth[User](
        authentication_middleware_class=CodedJWTMiddleware,
        token_secret=settings.secret_key,
        retrieve_user_handler=_retrieve_user,
        default_token_expiration=timedelta(minutes=settings.token_minutes),
        exclude_opt_key="exclude_from_auth",
        exclude=["/schema"],
        token_cls=KeptToken,
    )


def requires(*roles: Role) -> Guard:
    """A guard admitting only the given roles (403 otherwise)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        # async: Litestar runs a sync guard in a worker thread, once per request
        if connection.scope.get("method") == "OPTIONS":
            return  # CORS preflight / allowed-methods probe: no user, nothing disclosed
        user = connection.scope.get("user")
        if user is None:
            raise coded(NotAuthorizedException(), Message("login.required"))
        if user.role not in roles:
            needed = Message("login.role_required", {"roles": [r.value for r in roles]})
            raise coded(PermissionDeniedException(), needed)

    return guard
