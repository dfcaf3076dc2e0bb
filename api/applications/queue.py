"""The list of applications (a reviewer's queue, an authority's region) on SQLAlchemy Core.

One statement per page: the listed columns and the count of all matching rows as a window
(``count(*) OVER ()``); a second one (the count alone) only when the page is past the end and
so has no row to carry it. No ORM session and no model instances. The access rule is
``anbiao.api.kernel.access.application_visible``, shared with every ORM lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Select, Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from anbiao.api.applications.workflow import allowed_actions
from anbiao.api.kernel.access import application_visible, scoped, viewer
from anbiao.api.kernel.models import Application, Role, State, User

_A = cast(Table, Application.__table__)  # declarative table
LISTED = (
    "id",
    "enterprise_id",
    "assessment_id",
    "region",
    "industry",
    "state",
    "cycle",
    "fingerprint",
    "self_result",
    "review_result",
    "reasons",
    "reopened_items",
    "submitted_on",
    "due_on",
    "version",
)
_PAGE = (
    select(*(_A.c[c] for c in LISTED), func.count().over().label("total"))
    .order_by(_A.c.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_COUNT = select(func.count()).select_from(_A)


@dataclass(frozen=True, slots=True)
class Filters:
    """The list's query parameters (``None``: not filtered)."""

    state: str | None = None
    region: str | None = None
    industry: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    overdue: bool | None = None

    def conditions(self, today: date) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.state:
            found.append(_A.c.state == self.state)
        if self.region:
            found.append(_A.c.region.startswith(self.region))
        if self.industry:
            found.append(_A.c.industry == self.industry)
        if self.submitted_from:
            found.append(_A.c.submitted_on >= self.submitted_from)
        if self.submitted_to:
            found.append(_A.c.submitted_on <= self.submitted_to)
        if self.overdue is not None:
            late = _A.c.due_on.is_not(None) & (_A.c.due_on < today)
            found.append(late if self.overdue else ~late)
        return found


async def application_page(
    connection: AsyncConnection,
    user: User,
    filters: Filters,
    today: date,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """A page of the applications ``user`` may see (``Page[ApplicationOut]``'s fields)."""
    key = (*viewer(user), filters, today if filters.overdue is not None else None)

    def conditions() -> list[ColumnElement[bool]]:
        return [application_visible(user), *filters.conditions(today)]

    page: Select[Any] = scoped(("page", *key), lambda: _PAGE.where(*conditions()))
    rows = (await connection.execute(page, {"limit": limit, "offset": offset})).all()
    if rows:
        total = rows[0].total
    else:  # past the end (or nothing at all): no row carries the count
        count = scoped(("count", *key), lambda: _COUNT.where(*conditions()))
        total = await connection.scalar(count) if offset else 0
    return {
        "items": _items(rows, Role(user.role), today),
        "total": int(total or 0),
        "limit": limit,
        "offset": offset,
    }


def _items(
    rows: Sequence[Row[Any, *tuple[Any, ...]]], role: Role, today: date
) -> list[dict[str, Any]]:
    actions: dict[str, list[str]] = {}  # by state: the same for every row in it
    items = []
    for row in rows:
        item = dict(zip(LISTED, row, strict=False))  # the listed columns come first, then total
        state = item["state"]
        if state not in actions:
            actions[state] = allowed_actions(State(state), role)
        due = item["due_on"]
        item["overdue"] = due is not None and today > due
        item["allowed_actions"] = actions[state]
        item["reviewers"] = []  # only the single application's view names them
        items.append(item)
    return items
