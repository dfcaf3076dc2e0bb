"""Browser sign-in: an encrypted session cookie (HttpOnly, SameSite=Lax) plus CSRF tokens.

The JSON API keeps bearer tokens; the pages use this session instead, so a cookie never
authenticates an API call and every unsafe page request must carry the CSRF token.
"""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.types import Guard
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.kernel.errors import coded
from anbiao.api.kernel.models import (
    Role,
    User,
)
from anbiao.api.kernel.settings import Settings
from anbiao.core.errors import Message

SESSION_COOKIE = "anbiao_session"
CSRF_COOKIE = "anbiao_csrf"
CSRF_HEADER = "x-csrftoken"
# The JSON API and the files: bearer tokens, never cookies, so neither sessions nor CSRF tokens.
NOT_PAGES = ["^/api/", "^/schema", "^/health", "^/ready", "^/static/"]


def _key(settings: Settings, purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.secret_key}".encode()).digest()


def session_config(settings: Settings) -> CookieBackendConfig:
    return CookieBackendConfig(
        secret=_key(settings, "session"),
        key=SESSION_COOKIE,
        max_age=settings.token_minutes * 60,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
        exclude=NOT_PAGES,
    )


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=_key(settings, "csrf").hex(),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=settings.cookie_secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=NOT_PAGES,
    )


def sign_in(request: Request[Any, Any, Any], user: User) -> None:
    request.set_session({"uid": str(user.id), "role": user.role, "name": user.name})


def sign_out(request: Request[Any, Any, Any]) -> None:
    request.clear_session()


def session_role(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    session = connection.scope.get("session")
    return session.get("role") if isinstance(session, dict) else None


def signed_in(*roles: Role) -> Guard:
    """A guard: a signed-in user of one of ``roles`` (any role when none are given)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        role = session_role(connection)
        if role is None:
            raise coded(NotAuthorizedException(), Message("login.required"))
        if roles and role not in roles:
            raise coded(PermissionDeniedException(), Message("login.wrong_role"))

    return guard


async def provide_viewer(
    request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
) -> User:
    """The signed-in user, read afresh: a deleted account or a changed role ends the session."""
    data = request.session if "session" in request.scope else {}
    user = await db_session.get(User, UUID(data["uid"])) if data.get("uid") else None
    if user is None or user.role != data.get("role"):
        sign_out(request)
        raise coded(NotAuthorizedException(), Message("login.required"))
    return user


ENTERPRISE = [signed_in(Role.enterprise)]


ANYONE = [signed_in()]


ADMIN = [signed_in(Role.admin)]


REVIEWER = [signed_in(Role.reviewer)]
