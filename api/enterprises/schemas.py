"""Request and response bodies of enterprises."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    Field,
    StringConstraints,
)

from anbiao.api.kernel.schemas import Input, Output
from anbiao.core.models._base import Integer
from anbiao.core.models.profile import Profile


class SignUp(Input):
    """Register an enterprise and its first user (企业注册)."""

    email: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=3,
            max_length=254,
            pattern=r"^[^@\x00-\x20]+@[^@\x00-\x20]+$",
        ),
    ]
    password: str = Field(min_length=10, max_length=200)
    name: str = Field(min_length=1, max_length=100)
    profile: Profile
    consultant: str = Field(default="", max_length=200, description="咨询机构 (for conflicts)")


class EnterpriseOut(Output):
    id: UUID
    uscc: str
    name: str
    region: str
    industry: str
    profile: dict[str, Any]
    consultant: str
    version: Integer
    size_class: str
    warnings: list[str]


class ProfileUpdate(Input):
    """A new profile; ``version`` must be the one read (optimistic concurrency)."""

    version: Integer
    profile: Profile
    consultant: str | None = Field(default=None, max_length=200)
