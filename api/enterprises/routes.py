"""Enterprises (企业): list, read, edit the profile, audit trail."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.routes import issue_token
from anbiao.api.accounts.schemas import TokenOut
from anbiao.api.accounts.security import requires
from anbiao.api.enterprises.schemas import EnterpriseOut, ProfileUpdate, SignUp
from anbiao.api.enterprises.service import enterprise_view, update_profile
from anbiao.api.enterprises.service import sign_up as register
from anbiao.api.kernel import i18n
from anbiao.api.kernel.access import get_enterprise, scope_enterprises
from anbiao.api.kernel.listing import (
    FormatQuery,
    Industry,
    Limit,
    Offset,
    Region,
    audit_trail,
    listing,
    page,
)
from anbiao.api.kernel.models import Enterprise, Event, Role, User
from anbiao.api.kernel.schemas import EventOut, Page
from anbiao.core.engine import Engine


class EnterpriseController(Controller):
    path = "/api/v1/enterprises"
    tags = ("enterprises",)

    @get("/", operation_id="listEnterprises")
    async def list_enterprises(
        self,
        request: Request[User, Any, Any],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
        region: Region = None,
        industry: Industry = None,
        limit: Limit = 50,
        offset: Offset = 0,
        fmt: FormatQuery = "json",
    ) -> Page[EnterpriseOut]:
        """Enterprises the caller may see, filtered by region prefix and industry."""
        query = scope_enterprises(select(Enterprise), request.user).order_by(Enterprise.id)
        if region:
            query = query.where(Enterprise.region.startswith(region))
        if industry:
            query = query.where(Enterprise.industry == industry)
        view = partial(enterprise_view, engine, lang=i18n.accepted(request))
        data = await page(db_session, query, limit, offset, view)
        return listing(data, Page[EnterpriseOut], fmt, "enterprises")

    @get("/{enterprise_id:uuid}", operation_id="getEnterprise")
    async def get_one(
        self,
        request: Request[User, Any, Any],
        enterprise_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> EnterpriseOut:
        enterprise = await get_enterprise(db_session, request.user, enterprise_id)
        view = enterprise_view(engine, enterprise, i18n.accepted(request))
        return EnterpriseOut.model_validate(view)

    @put(
        "/{enterprise_id:uuid}/profile",
        operation_id="updateProfile",
        guards=[requires(Role.enterprise)],
    )
    async def update_profile(
        self,
        request: Request[User, Any, Any],
        enterprise_id: FromPath[UUID],
        data: JSONBody[ProfileUpdate],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> EnterpriseOut:
        """Edit the profile (optimistic concurrency: send the version you read)."""
        enterprise = await get_enterprise(db_session, request.user, enterprise_id)
        lang = i18n.accepted(request)
        await update_profile(db_session, engine, request.user, enterprise, data, lang)
        return EnterpriseOut.model_validate(enterprise_view(engine, enterprise, lang))

    @get("/{enterprise_id:uuid}/events", operation_id="listEnterpriseEvents")
    async def events(
        self,
        request: Request[User, Any, Any],
        enterprise_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        limit: Limit = 50,
        offset: Offset = 0,
        fmt: FormatQuery = "json",
    ) -> Page[EventOut]:
        """The audit trail of one enterprise, oldest first."""
        enterprise = await get_enterprise(db_session, request.user, enterprise_id)
        return await audit_trail(
            db_session, Event.enterprise_id == enterprise.id, limit, offset, fmt
        )


class SignUpController(Controller):
    """An enterprise registers with its first user (企业注册) and gets a token."""

    path = "/api/v1/auth"
    tags = ("auth",)

    @post("/signup", operation_id="signUp", exclude_from_auth=True, status_code=201)
    async def sign_up(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SignUp],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> TokenOut:
        """Register an enterprise and its first user; returns a token."""
        user = await register(db_session, engine, data)
        return issue_token(request, user)
