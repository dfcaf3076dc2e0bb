"""Request and response bodies of enterprises."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    Field,
    StringConstraints,
)

from anbiao.api.kernel.limits import (
    EMAIL_MAX,
    EMAIL_PATTERN,
    PASSWORD_MAX,
    OrganisationName,
    RequiredPersonName,
    Version,
)
from anbiao.api.kernel.schemas import CodedOut, Input, Output
from anbiao.core.models._base import Integer
from anbiao.core.models.profile import Profile


class SignUp(Input):
    """Register an enterprise and its first user (企业注册)."""

    email: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=3,
            max_length=EMAIL_MAX,
            pattern=EMAIL_PATTERN,
        ),
    ]
    password: str = Field(min_length=10, max_length=PASSWORD_MAX)
    name: RequiredPersonName
    profile: Profile
    consultant: OrganisationName = Field(default="", description="咨询机构 (for conflicts)")


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
    warnings: list[CodedOut] = Field(
        description="accepted but noteworthy facts (e.g. a pilot USCC's check digit), coded"
    )


class ProfileUpdate(Input):
    """A new profile; ``version`` must be the one read (optimistic concurrency)."""

    version: Version
    profile: Profile
    consultant: OrganisationName | None = None
