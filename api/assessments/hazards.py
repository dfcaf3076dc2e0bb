"""Hazards (隐患) and their closed loop: open → rectifying → submitted → closed (销号)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, patch
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.assessments.schemas import HazardOut
from anbiao.api.kernel import audit
from anbiao.api.kernel.access import get_hazard, scope_hazards
from anbiao.api.kernel.db import ONE_WRITE, versioned_update
from anbiao.api.kernel.errors import Rejected, StaleVersion
from anbiao.api.kernel.limits import (
    HAZARD_REFERENCES_MAX,
    Measures,
    PersonName,
    Reference,
    Resources,
    Version,
)
from anbiao.api.kernel.listing import FormatQuery, Limit, Offset, Region, listing, page
from anbiao.api.kernel.models import Enterprise, Hazard, Role, User
from anbiao.api.kernel.schemas import Input, Page
from anbiao.core.errors import Message

# Who may move a hazard where: the enterprise rectifies, a reviewer or the authority verifies.
MOVES = {
    Role.enterprise: {("open", "rectifying"), ("open", "submitted"), ("rectifying", "submitted")},
    Role.reviewer: {("submitted", "closed"), ("submitted", "rectifying")},
    Role.admin: {("submitted", "closed"), ("submitted", "rectifying")},
}


class HazardUpdate(Input):
    owner: PersonName | None = None
    measures: Measures | None = None
    deadline: date | None = None
    evidence: list[Reference] | None = Field(default=None, max_length=HAZARD_REFERENCES_MAX)
    state: Literal["open", "rectifying", "submitted", "closed"] | None = None
    resources: Resources | None = None
    version: Version | None = None  # when given, a stale one is refused (409)


def hazard_view(hazard: Hazard) -> dict[str, Any]:
    return HazardOut.model_validate(hazard).model_dump(mode="json")


async def update_hazard(
    session: AsyncSession, user: User, hazard: Hazard, data: HazardUpdate
) -> Hazard:
    """Record rectification facts (the enterprise) or move the hazard along its loop; audited.
    A ``version`` other than the hazard's, or a concurrent change, raises StaleVersion."""
    before = hazard_view(hazard)
    if data.version is not None and data.version != hazard.version:
        raise StaleVersion(before)
    values: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"state", "version"})
    if values and user.role != Role.enterprise:
        raise Rejected(Message("hazard.enterprise_only"))
    if data.state is not None and data.state != hazard.state:
        if (hazard.state, data.state) not in MOVES[Role(user.role)]:
            raise Rejected(
                Message("hazard.move_refused", {"from_state": hazard.state, "to_state": data.state})
            )
        if data.state == "submitted" and not values.get("evidence", hazard.evidence):
            raise Rejected(Message("hazard.evidence_required"))
        values["state"] = data.state
        if data.state == "closed":
            values["verified_by"] = user.id
    values["version"] = hazard.version + 1
    shown = {k: v for k, v in values.items() if k in HazardOut.model_fields}
    after = HazardOut.model_validate(before | shown).model_dump(mode="json")
    event = audit.event(
        "hazard.updated",
        user,
        enterprise_id=hazard.enterprise_id,
        application_id=hazard.application_id,
        before=before,
        after=after,
    )
    await versioned_update(
        session, Hazard, hazard, hazard.version, values, lambda: hazard_view(hazard), event
    )
    return hazard


class HazardController(Controller):
    path = "/api/v1/hazards"
    tags = ("hazards",)

    @get("/", operation_id="listHazards")
    async def list_hazards(
        self,
        request: Request[User, Any, Any],
        db_session: NamedDependency[AsyncSession],
        state_filter: Annotated[str | None, QueryParameter(name="state", max_length=16)] = None,
        level: Annotated[str | None, QueryParameter(max_length=16)] = None,
        region: Region = None,
        deadline_before: Annotated[date | None, QueryParameter(name="deadlineBefore")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
        fmt: FormatQuery = "json",
    ) -> Page[HazardOut]:
        """Hazards the caller may see (隐患清单), filtered by state, level, region and deadline."""
        query = scope_hazards(select(Hazard), request.user).order_by(Hazard.id)
        if region:
            regional = select(Enterprise.id).where(Enterprise.region.startswith(region))
            query = query.where(Hazard.enterprise_id.in_(regional))
        if deadline_before:
            query = query.where(Hazard.deadline < deadline_before)
        if state_filter:
            query = query.where(Hazard.state == state_filter)
        if level:
            query = query.where(Hazard.level == level)
        data = await page(db_session, query, limit, offset, HazardOut.model_validate)
        return listing(data, Page[HazardOut], fmt, "hazards")

    @patch(
        "/{hazard_id:uuid}",
        operation_id="updateHazard",
        opt={ONE_WRITE: lambda params: True},  # the hazard and its audit event
    )
    async def update_hazard(
        self,
        request: Request[User, Any, Any],
        hazard_id: FromPath[UUID],
        data: JSONBody[HazardUpdate],
        db_session: NamedDependency[AsyncSession],
    ) -> HazardOut:
        """Record owner, measures, deadline and evidence; submit, verify or reopen."""
        hazard = await get_hazard(db_session, request.user, hazard_id)
        await update_hazard(db_session, request.user, hazard, data)
        return HazardOut.model_validate(hazard)
