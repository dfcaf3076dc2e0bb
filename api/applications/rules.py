"""What every workflow action shares: the region's procedure, deadlines, reasons and
the current reviewers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.assessments.service import Scored
from anbiao.api.kernel.errors import Conflict, Rejected
from anbiao.api.kernel.models import (
    Application,
    Assignment,
    State,
    User,
)
from anbiao.api.kernel.workdays import add_working_days
from anbiao.core.compose import ComposedChecklist
from anbiao.core.engine import Engine
from anbiao.core.errors import Message

# Region procedure defaults (domain.md §2.2–2.3; [U]/[P] values): an overlay's `procedure` wins.
DEFAULT_PROCEDURE = {
    "acceptance_working_days": 10,
    "review_working_days": 60,
    "rectification_working_days": 20,
    "publicity_working_days": 7,
    "certificate_validity_years": 3,
}


def procedure(composed: ComposedChecklist) -> dict[str, int]:
    """The region's deadlines and validity: the overlay's values over the defaults."""
    rules = composed.procedure.model_dump(exclude_none=True, exclude={"assumptions"})
    return {**DEFAULT_PROCEDURE, **rules}


def summary(scored: Scored) -> dict[str, Any]:
    r = scored.result
    return {
        "earned": r.earned,
        "applicable": r.applicable,
        "percentage": str(r.percentage),
        "passed": r.passed,
        "band": r.band.id if r.band else None,
        "vetoes": list(r.vetoes),
        "complete": r.complete,
        "eligible": r.eligible,
        "ineligible": [i.message for i in r.ineligible],
    }


# In the order they were made (UUIDv7 ids): where two reviewers score an item differently, the
# later assignment's score prevails (``review_scores``), whoever saved last — an unordered read
# returns PostgreSQL's rows in whatever order its updates left them.
_ASSIGNMENTS = (
    select(Assignment)
    .where(Assignment.application_id == bindparam("application"))
    .order_by(Assignment.id)
)
_OF_CYCLE = _ASSIGNMENTS.where(Assignment.cycle == bindparam("cycle"))
_REVIEWER_IDS = select(Assignment.reviewer_id).where(
    Assignment.application_id == bindparam("application"), Assignment.cycle == bindparam("cycle")
)


async def reviewers_of(
    session: AsyncSession, application: Application, cycle: int | None = None
) -> list[Assignment]:
    """The application's assignments (of ``cycle``, or of every cycle), in the order they were
    made."""
    if cycle is None:
        return list(await session.scalars(_ASSIGNMENTS, {"application": application.id}))
    params = {"application": application.id, "cycle": cycle}
    return list(await session.scalars(_OF_CYCLE, params))


# States whose cycle has no reviewer yet: reviewers are assigned from accepted, and a submission
# after a review opens a new cycle (``_submit``). Their views need not ask.
UNASSIGNED = frozenset({State.draft, State.submitted, State.accepted})


async def reviewer_ids(session: AsyncSession, application: Application) -> list[UUID]:
    """The reviewers assigned in the current cycle (ids only: no scores decoded)."""
    if application.state in UNASSIGNED:
        return []
    params = {"application": application.id, "cycle": application.cycle}
    return sorted(await session.scalars(_REVIEWER_IDS, params))


def current_reviewers(
    application: Application, known: list[UUID], assigned: Iterable[UUID] = ()
) -> list[UUID]:
    """The current cycle's reviewers after an action, without asking the database: none while
    the cycle has none (a submission opens a new cycle), else those ``known`` before the
    action and those it ``assigned`` (sorted, as ``reviewer_ids``)."""
    if application.state in UNASSIGNED:
        return []
    return sorted({*known, *assigned})


@dataclass(slots=True)
class Context:
    """What a transition needs besides the application."""

    session: AsyncSession
    engine: Engine
    user: User
    today: date
    body: Any
    assignments: list[Assignment] | None = None  # the current cycle's, when read already


def deadline(ctx: Context, application: Application, key: str) -> date:
    composed = ctx.engine.profile_of(application.profile)[1]
    return add_working_days(ctx.today, procedure(composed)[key])


def need_reason(ctx: Context) -> str:
    reason: str = ctx.body.reason.strip()
    if not reason:
        raise Rejected(Message("application.reason_required"))
    return reason


async def my_assignment(
    ctx: Context, application: Application, assignments: list[Assignment] | None = None
) -> Assignment:
    """The caller's assignment in the current cycle (``assignments``: the cycle's, if read)."""
    if assignments is None:
        assignments = await reviewers_of(ctx.session, application, application.cycle)
    for assignment in assignments:
        if assignment.reviewer_id == ctx.user.id:
            return assignment
    raise Conflict(Message("review.not_assigned"))
