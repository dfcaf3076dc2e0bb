"""Request and response bodies of accounts."""

from __future__ import annotations

from uuid import UUID

from pydantic import (
    Field,
)

from anbiao.api.kernel.schemas import Input, Output


class Login(Input):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(Output):
    access_token: str
    token_type: str = "Bearer"
    role: str
    user_id: UUID


class UserOut(Output):
    id: UUID
    email: str
    name: str
    role: str
    enterprise_id: UUID | None
    region_prefix: str
    domains: list[str]
    employer: str
