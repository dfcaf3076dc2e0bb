"""Per-object authorization: every lookup is scoped to what the caller may see.

* enterprise users see their own enterprise, its assessments, applications and hazards;
* admins see everything whose region code starts with their region prefix;
* reviewers see the applications they are assigned to (any cycle) and those enterprises.

A foreign object is reported as not found (404), never as someone else's data.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.exceptions import NotFoundException
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.kernel.models import (
    Application,
    Assessment,
    Assignment,
    Enterprise,
    Hazard,
    Role,
    User,
)


def not_found(kind: str) -> NotFoundException:
    """404 for ``kind`` given as "中文 English" (e.g. "自评 assessment")."""
    zh, _, en = kind.partition(" ")
    return NotFoundException(f"{zh}不存在 / {en or zh} not found")


def _assigned(user: User) -> Select[Any]:
    return select(Assignment.application_id).where(Assignment.reviewer_id == user.id)


def scope_enterprises(query: Select[Any], user: User) -> Select[Any]:
    if user.role == Role.enterprise:
        return query.where(Enterprise.id == user.enterprise_id)
    if user.role == Role.admin:
        return query.where(Enterprise.region.startswith(user.region_prefix))
    visible = select(Application.enterprise_id).where(Application.id.in_(_assigned(user)))
    return query.where(Enterprise.id.in_(visible))


def scope_applications(query: Select[Any], user: User) -> Select[Any]:
    if user.role == Role.enterprise:
        return query.where(Application.enterprise_id == user.enterprise_id)
    if user.role == Role.admin:
        return query.where(Application.region.startswith(user.region_prefix))
    return query.where(Application.id.in_(_assigned(user)))


def scope_hazards(query: Select[Any], user: User) -> Select[Any]:
    if user.role == Role.enterprise:
        return query.where(Hazard.enterprise_id == user.enterprise_id)
    if user.role == Role.admin:
        regional = select(Enterprise.id).where(Enterprise.region.startswith(user.region_prefix))
        return query.where(Hazard.enterprise_id.in_(regional))
    return query.where(Hazard.application_id.in_(_assigned(user)))


async def get_enterprise(session: AsyncSession, user: User, enterprise_id: UUID) -> Enterprise:
    query = scope_enterprises(select(Enterprise).where(Enterprise.id == enterprise_id), user)
    if (found := await session.scalar(query)) is None:
        raise not_found("企业 enterprise")
    return found


async def _assessment(session: AsyncSession, user: User, assessment_id: UUID, what: Any) -> Any:
    """Assessments are the enterprise's working papers: only its users and admins see them.
    ``what``: the model, or the one column wanted."""
    query = (
        select(what)
        .select_from(Assessment)
        .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
        .where(Assessment.id == assessment_id)
    )
    if (
        user.role == Role.reviewer
        or (found := await session.scalar(scope_enterprises(query, user))) is None
    ):
        raise not_found("自评 assessment")
    return found


async def get_assessment(session: AsyncSession, user: User, assessment_id: UUID) -> Assessment:
    return await _assessment(session, user, assessment_id, Assessment)


async def assessment_profile(
    session: AsyncSession, user: User, assessment_id: UUID
) -> dict[str, Any]:
    """Only the profile snapshot of a readable assessment (what composed its checklist)."""
    return await _assessment(session, user, assessment_id, Assessment.profile)


async def get_application(session: AsyncSession, user: User, application_id: UUID) -> Application:
    query = scope_applications(select(Application).where(Application.id == application_id), user)
    if (found := await session.scalar(query)) is None:
        raise not_found("申请 application")
    return found


async def get_hazard(session: AsyncSession, user: User, hazard_id: UUID) -> Hazard:
    query = scope_hazards(select(Hazard).where(Hazard.id == hazard_id), user)
    if (found := await session.scalar(query)) is None:
        raise not_found("隐患 hazard")
    return found
