"""The action plan (整改计划) of a self-assessment, as OiRA ends one: its enterprise's hazards
of this assessment's items (found in the self-assessment, or in the review of one of its
applications), each with measures, owner, deadline, resources and state — major hazards first,
overdue ones first, then by deadline; closed ones last.

A row of the plan is a ``Hazard`` row: editing the plan is editing the hazard
(``anbiao.api.assessments.hazards.update_hazard``: versioned and audited)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.kernel.access import scope_hazards
from anbiao.api.kernel.models import Application, Assessment, Hazard, User
from anbiao.api.kernel.schemas import Output
from anbiao.core.compose import ComposedChecklist
from anbiao.core.models._base import Integer

PlanRow = dict[str, Any]


class PlanRowOut(Output):
    """One row of the action plan: a hazard and what its rectification needs."""

    hazard_id: UUID
    item_id: str
    requirement: str  # the item's requirement in the request's language ("" without an item)
    description: str
    level: str  # major | general
    source: str  # self | review
    measures: str
    owner: str
    deadline: date | None
    resources: str
    state: str
    version: Integer
    overdue: bool
    suggested: str | None  # 建议措施: the item's guidance, where it has one


class ActionPlanOut(Output):
    assessment_id: UUID
    items: list[PlanRowOut]


def plan_key(row: PlanRow) -> tuple[Any, ...]:
    """Open before closed; within each, major before general, overdue first, then by deadline
    (none last), then by item."""
    deadline = row["deadline"]
    return (
        row["state"] == "closed",
        row["level"] != "major",
        not row["overdue"],
        deadline is None,
        deadline or date.max,
        row["item_id"],
        str(row["hazard_id"]),
    )


def is_overdue(state: str, deadline: date | None, today: date) -> bool:
    """Past its deadline and not closed (销号)."""
    return state != "closed" and deadline is not None and deadline < today


def plan_row(hazard: Hazard, composed: ComposedChecklist, lang: str, today: date) -> PlanRow:
    found = composed.items.get(hazard.item_id)
    item = found.item if found else None
    return {
        "hazard_id": hazard.id,
        "item_id": hazard.item_id,
        "requirement": item.requirement.get(lang) if item else "",
        "description": hazard.description,
        "level": hazard.level,
        "source": hazard.source,
        "measures": hazard.measures,
        "owner": hazard.owner,
        "deadline": hazard.deadline,
        "resources": hazard.resources,
        "state": hazard.state,
        "version": hazard.version,
        "evidence": len(hazard.evidence),
        "overdue": is_overdue(hazard.state, hazard.deadline, today),
        "suggested": item.guidance.get(lang) if item and item.guidance else None,
    }


async def action_plan(
    session: AsyncSession,
    assessment: Assessment,
    composed: ComposedChecklist,
    *,
    lang: str,
    today: date,
    user: User | None = None,
) -> list[PlanRow]:
    """The plan of ``assessment`` (already read through the access rules), its hazards scoped to
    ``user`` when given (``anbiao.api.kernel.access.hazard_visible``)."""
    reviewed = select(Application.id).where(Application.assessment_id == assessment.id)
    query = select(Hazard).where(
        Hazard.enterprise_id == assessment.enterprise_id,
        or_(Hazard.source == "self", Hazard.application_id.in_(reviewed)),
    )
    if user is not None:
        query = scope_hazards(query, user)
    rows = [
        plan_row(h, composed, lang, today)
        for h in await session.scalars(query)
        if h.source != "self" or h.item_id in composed.items
    ]
    return sorted(rows, key=plan_key)
