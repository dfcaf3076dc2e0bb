"""Per-object authorization: every lookup is scoped to what the caller may see.

* enterprise users see their own enterprise, its assessments, applications and hazards;
* admins see everything whose region code starts with their region prefix;
* reviewers see the applications they are assigned to (any cycle) and those enterprises.

A foreign object is reported as not found (404), never as someone else's data.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVarTuple
from uuid import UUID

from litestar.exceptions import NotFoundException
from sqlalchemy import ColumnElement, FunctionElement, Select, Text, bindparam, false, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler

from anbiao.api.kernel.errors import coded
from anbiao.api.kernel.jsontext import as_text
from anbiao.api.kernel.models import (
    Application,
    Assessment,
    Assignment,
    Enterprise,
    Finding,
    FindingPhoto,
    Hazard,
    Role,
    User,
)
from anbiao.core.errors import Message

Columns = TypeVarTuple("Columns")


def not_found(code: str) -> NotFoundException:
    """404 with a coded message, e.g. ``not_found("assessment.not_found")``."""
    return coded(NotFoundException(), Message(code))


def _assigned(user: User) -> Select[UUID]:
    return select(Assignment.application_id).where(Assignment.reviewer_id == user.id)


# The rules, as WHERE clauses: ORM queries (``scope_*``) and the Core statements of the hot
# paths use these same clauses.


def enterprise_visible(user: User, enterprise_id: Any = Enterprise.id) -> ColumnElement[bool]:
    """The enterprises ``user`` sees, as a condition on an enterprise id column (a table
    other than ``enterprise`` reads the region through a subquery)."""
    condition: ColumnElement[bool]
    if user.role == Role.enterprise:
        condition = enterprise_id == user.enterprise_id
        return condition
    if user.role == Role.admin:
        regional = Enterprise.region.startswith(user.region_prefix)
        if enterprise_id is Enterprise.id:
            return regional
        condition = enterprise_id.in_(select(Enterprise.id).where(regional))
        return condition
    condition = enterprise_id.in_(
        select(Application.enterprise_id).where(Application.id.in_(_assigned(user)))
    )
    return condition


def assessment_visible(user: User) -> ColumnElement[bool]:
    """Assessments are the enterprise's working papers: only its users and admins see them."""
    if user.role == Role.reviewer:
        return false()
    return enterprise_visible(user, Assessment.enterprise_id)


def application_visible(user: User) -> ColumnElement[bool]:
    if user.role == Role.enterprise:
        return Application.enterprise_id == user.enterprise_id
    if user.role == Role.admin:
        return Application.region.startswith(user.region_prefix)
    return Application.id.in_(_assigned(user))


def finding_photo_visible(user: User) -> ColumnElement[bool]:
    """A finding's photos are seen by whoever sees the finding's application."""
    return FindingPhoto.application_id.in_(select(Application.id).where(application_visible(user)))


def hazard_visible(user: User) -> ColumnElement[bool]:
    if user.role == Role.reviewer:
        return Hazard.application_id.in_(_assigned(user))
    return enterprise_visible(user, Hazard.enterprise_id)


def viewer(user: User) -> tuple[Hashable, ...]:
    """What the rules above read of the caller: equal tuples, equal conditions."""
    return (user.role, user.id, user.enterprise_id, user.region_prefix)


SCOPED_LIMIT = 1024  # about 10 KiB each, with its cache key
_scoped: OrderedDict[Hashable, Any] = OrderedDict()


def scoped(key: Hashable, build: Callable[[], Select[*Columns]]) -> Select[*Columns]:
    """A hot path's statement scoped to its caller, built once per ``key`` (the statement's
    name, ``viewer(user)`` and what else it depends on; the request's own values are bind
    parameters): SQLAlchemy then computes its cache key once instead of per request. The
    least recently used statement goes first past ``SCOPED_LIMIT``."""
    statement: Select[*Columns] | None = _scoped.get(key)
    if statement is None:
        statement = _scoped[key] = build()
        if len(_scoped) > SCOPED_LIMIT:
            _scoped.popitem(last=False)
    else:
        _scoped.move_to_end(key)
    return statement


def scope_enterprises(query: Select[*Columns], user: User) -> Select[*Columns]:
    return query.where(enterprise_visible(user))


def scope_applications(query: Select[*Columns], user: User) -> Select[*Columns]:
    return query.where(application_visible(user))


def scope_hazards(query: Select[*Columns], user: User) -> Select[*Columns]:
    return query.where(hazard_visible(user))


# The lookups by id, scoped to the caller: built once per caller (``scoped``), the id bound.
_ENTERPRISE = select(Enterprise).where(Enterprise.id == bindparam("id"))
_ASSESSMENT = select(Assessment).where(Assessment.id == bindparam("id"))
_APPLICATION = select(Application).where(Application.id == bindparam("id"))
_HAZARD = select(Hazard).where(Hazard.id == bindparam("id"))


async def get_enterprise(
    session: AsyncSession, user: User, enterprise_id: UUID | None
) -> Enterprise:
    """``None`` (an account without an enterprise) is not found either."""
    query = scoped(
        ("enterprise", *viewer(user)), lambda: _ENTERPRISE.where(enterprise_visible(user))
    )
    if (found := await session.scalar(query, {"id": enterprise_id})) is None:
        raise not_found("enterprise.not_found")
    return found


async def get_assessment(session: AsyncSession, user: User, assessment_id: UUID) -> Assessment:
    query = scoped(
        ("assessment", *viewer(user)), lambda: _ASSESSMENT.where(assessment_visible(user))
    )
    if (found := await session.scalar(query, {"id": assessment_id})) is None:
        raise not_found("assessment.not_found")
    return found


_PROFILE = select(as_text(Assessment.profile)).where(Assessment.id == bindparam("assessment_id"))


async def assessment_profile(connection: AsyncConnection, user: User, assessment_id: UUID) -> str:
    """Only the profile snapshot of a readable assessment (what composed its checklist), as its
    JSON text, on a Core connection (the checklist read)."""
    query = scoped(("profile", *viewer(user)), lambda: _PROFILE.where(assessment_visible(user)))
    found: str | None = await connection.scalar(query, {"assessment_id": assessment_id})
    if found is None:
        raise not_found("assessment.not_found")
    return found


async def get_application(session: AsyncSession, user: User, application_id: UUID) -> Application:
    query = scoped(
        ("application", *viewer(user)), lambda: _APPLICATION.where(application_visible(user))
    )
    if (found := await session.scalar(query, {"id": application_id})) is None:
        raise not_found("application.not_found")
    return found


class _uuid_list(FunctionElement[str]):
    """The UUIDs of a column aggregated into one comma-separated text (``uuids`` reads it):
    PostgreSQL's text form, SQLite's hex of the 16 bytes it stores."""

    type = Text()
    inherit_cache = True


@compiles(_uuid_list)
def _uuid_list_default(element: _uuid_list, compiler: SQLCompiler, **kw: Any) -> str:
    return f"string_agg(CAST({compiler.process(element.clauses, **kw)} AS TEXT), ',')"


@compiles(_uuid_list, "sqlite")
def _uuid_list_sqlite(element: _uuid_list, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat(hex({compiler.process(element.clauses, **kw)}), ',')"


def uuids(text: str | None) -> list[UUID]:
    """The ids of a ``_uuid_list``, sorted."""
    return sorted(UUID(part) for part in text.split(",")) if text else []


# The current cycle's reviewers, read with the application (its view names them).
_REVIEWERS = (
    select(_uuid_list(Assignment.reviewer_id))
    .where(Assignment.application_id == Application.id, Assignment.cycle == Application.cycle)
    .scalar_subquery()
)
_APPLICATION_AND_REVIEWERS = select(Application, _REVIEWERS).where(
    Application.id == bindparam("id")
)


async def get_application_and_reviewers(
    session: AsyncSession, user: User, application_id: UUID
) -> tuple[Application, list[UUID]]:
    """An application with the reviewers of its current cycle (sorted), in one statement."""
    query = scoped(
        ("application and reviewers", *viewer(user)),
        lambda: _APPLICATION_AND_REVIEWERS.where(application_visible(user)),
    )
    if (found := (await session.execute(query, {"id": application_id})).one_or_none()) is None:
        raise not_found("application.not_found")
    application, reviewers = found
    return application, uuids(reviewers)


# The current cycle's assignments with their scores, read with the application (a review's save
# and conclusion score them), in the order they were made. Aliased: the reviewer's access rule
# reads ``assignment`` in a subquery of its own, which must not correlate with this join.
_CURRENT = aliased(Assignment)
_APPLICATION_AND_ASSIGNMENTS = (
    select(Application, _CURRENT)
    .outerjoin(
        _CURRENT,
        (_CURRENT.application_id == Application.id) & (_CURRENT.cycle == Application.cycle),
    )
    .where(Application.id == bindparam("id"))
    .order_by(_CURRENT.id)
)


async def get_application_and_assignments(
    session: AsyncSession, user: User, application_id: UUID
) -> tuple[Application, list[Assignment]]:
    """An application with its current cycle's assignments (as ``reviewers_of`` reads them),
    in one statement."""
    query = scoped(
        ("application and assignments", *viewer(user)),
        lambda: _APPLICATION_AND_ASSIGNMENTS.where(application_visible(user)),
    )
    rows = (await session.execute(query, {"id": application_id})).all()
    if not rows:
        raise not_found("application.not_found")
    return rows[0][0], [assignment for _, assignment in rows if assignment is not None]


async def get_hazard(session: AsyncSession, user: User, hazard_id: UUID) -> Hazard:
    query = scoped(("hazard", *viewer(user)), lambda: _HAZARD.where(hazard_visible(user)))
    if (found := await session.scalar(query, {"id": hazard_id})) is None:
        raise not_found("hazard.not_found")
    return found


async def get_finding(
    session: AsyncSession, user: User, application_id: UUID, finding_id: UUID
) -> tuple[Application, Finding]:
    """A finding of an application ``user`` sees, with that application."""
    application = await get_application(session, user, application_id)
    query = select(Finding).where(
        Finding.id == finding_id, Finding.application_id == application.id
    )
    if (found := await session.scalar(query)) is None:
        raise not_found("finding.not_found")
    return application, found


async def get_finding_photo(
    session: AsyncSession, user: User, finding_id: UUID, photo_id: UUID
) -> FindingPhoto:
    query = select(FindingPhoto).where(
        FindingPhoto.id == photo_id,
        FindingPhoto.finding_id == finding_id,
        finding_photo_visible(user),
    )
    if (found := await session.scalar(query)) is None:
        raise not_found("photo.not_found")
    return found
