"""Enterprises (企业): registration, profile changes and the enterprise view."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.service import add_user, hash_in_thread
from anbiao.api.kernel.audit import audit
from anbiao.api.kernel.db import versioned_update
from anbiao.api.kernel.errors import Conflict, Rejected, coded_json
from anbiao.api.kernel.models import (
    Enterprise,
    Role,
    User,
)
from anbiao.core.engine import Engine
from anbiao.core.errors import Message
from anbiao.core.models.profile import Profile


def check_profile(engine: Engine, profile: Profile) -> None:
    """Errors of a profile raise :class:`Rejected` (its warnings are shown by the pages)."""
    issues = engine.check_profile(profile)
    errors = [i.coded for i in issues if i.severity == "error"]
    if errors:
        raise Rejected(Message("enterprise.invalid_profile"), errors)


async def sign_up(session: AsyncSession, engine: Engine, data: Any) -> User:
    """Register an enterprise with its first user."""
    check_profile(engine, data.profile)
    password_hash = await hash_in_thread(data.password)
    uscc = data.profile.uscc
    if await session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc)) is not None:
        raise Conflict(Message("enterprise.uscc_taken", {"uscc": uscc}))
    enterprise = Enterprise(
        uscc=uscc,
        name=data.profile.name,
        region=data.profile.region,
        industry=data.profile.industry,
        consultant=data.consultant,
        profile=data.profile.model_dump(mode="json"),
    )
    session.add(enterprise)
    await session.flush()
    user = await add_user(
        session,
        email=data.email,
        password_hash=password_hash,
        name=data.name,
        role=Role.enterprise,
        enterprise_id=enterprise.id,
    )
    audit(
        session,
        "enterprise.registered",
        user,
        enterprise_id=enterprise.id,
        after={"uscc": uscc, "name": enterprise.name},
    )
    return user


async def update_profile(
    session: AsyncSession,
    engine: Engine,
    user: User,
    enterprise: Enterprise,
    data: Any,
    lang: str,
) -> Enterprise:
    """A new profile; applications already submitted keep the profile they froze (a stale
    version's conflict carries the current enterprise, its warnings in ``lang``)."""
    check_profile(engine, data.profile)
    if data.profile.uscc != enterprise.uscc:
        raise Rejected(Message("enterprise.uscc_fixed"))
    before = enterprise.profile
    values = {
        "profile": data.profile.model_dump(mode="json"),
        "name": data.profile.name,
        "region": data.profile.region,
        "industry": data.profile.industry,
        "version": data.version + 1,
    }
    if data.consultant is not None:
        values["consultant"] = data.consultant
    await versioned_update(
        session,
        Enterprise,
        enterprise,
        data.version,
        values,
        lambda: enterprise_view(engine, enterprise, lang),
    )
    audit(
        session,
        "enterprise.profile_changed",
        user,
        enterprise_id=enterprise.id,
        before=before,
        after=values["profile"],
    )
    return enterprise


def enterprise_view(engine: Engine, enterprise: Enterprise, lang: str) -> dict[str, Any]:
    """An enterprise as the API shows it; its warnings coded, their text in ``lang``."""
    profile = Profile.model_validate(enterprise.profile)
    return {
        "id": enterprise.id,
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "region": enterprise.region,
        "industry": enterprise.industry,
        "profile": enterprise.profile,
        "consultant": enterprise.consultant,
        "version": enterprise.version,
        "size_class": profile.size_class().value,
        "warnings": [coded_json(warning, lang) for _, warning in profile.warnings()],
    }
