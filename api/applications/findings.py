"""Reviewer findings (评审发现的问题): recorded, withdrawn and raised as hazards."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.applications.rules import Context, deadline, my_assignment
from anbiao.api.kernel.audit import audit
from anbiao.api.kernel.db import versioned_update
from anbiao.api.kernel.errors import Conflict, Rejected
from anbiao.api.kernel.models import (
    Application,
    Finding,
    Hazard,
    State,
)
from anbiao.core.compose import ComposedChecklist
from anbiao.core.errors import Message


def finding_facts(finding: Finding) -> dict[str, Any]:
    """A finding as the audit trail (and a 409's ``current``) shows it."""
    return {
        "id": str(finding.id),
        "cycle": finding.cycle,
        "item_id": finding.item_id,
        "element": finding.element,
        "text": finding.text,
        "level": finding.level,
        "location": finding.location,
        "evidence": list(finding.evidence),
        "state": finding.state,
        "version": finding.version,
        "hazard_id": str(finding.hazard_id) if finding.hazard_id else None,
    }


def _finding_target(composed: ComposedChecklist, item_id: str, element: str) -> tuple[str, str]:
    """The item and element a finding concerns, checked against the application's checklist;
    an item implies its own element."""
    if item_id:
        if item_id not in composed.items:
            raise Rejected(Message("finding.unknown_item"), [item_id])
        own = dict(zip(composed.items, composed.item_elements, strict=True))[item_id]
        if element and own != element and not own.startswith(element + "."):
            raise Rejected(Message("finding.item_not_in_element", {"element": element}), [item_id])
        return item_id, own
    if element and element not in composed.element_codes:
        raise Rejected(Message("finding.unknown_element"), [element])
    return "", element


async def record_finding(ctx: Context, application: Application) -> Finding:
    """A finding of the current review round, by one of the round's assigned reviewers."""
    if application.state != State.under_review:
        raise Conflict(Message("finding.wrong_state", {"state": application.state}))
    await my_assignment(ctx, application)
    data = ctx.body
    composed = ctx.engine.profile_of(application.profile)[1]
    item_id, element = _finding_target(composed, data.item_id.strip(), data.element.strip())
    finding = Finding(
        application_id=application.id,
        enterprise_id=application.enterprise_id,
        cycle=application.cycle,
        author_id=ctx.user.id,
        item_id=item_id,
        element=element,
        text=data.text,
        level=data.level,
        location=data.location.strip(),
        evidence=list(data.evidence),
        state="open",
        version=1,
    )
    ctx.session.add(finding)
    await ctx.session.flush()
    audit(
        ctx.session,
        "finding.recorded",
        ctx.user,
        enterprise_id=application.enterprise_id,
        application_id=application.id,
        after={"finding": finding_facts(finding)},
    )
    return finding


async def withdraw_finding(ctx: Context, application: Application, finding: Finding) -> Finding:
    """Its author takes an open finding back during the review (``ctx.body.version``)."""
    if application.state != State.under_review or finding.state != "open":
        raise Conflict(Message("finding.not_withdrawable"))
    before = finding_facts(finding)
    await versioned_update(
        ctx.session,
        Finding,
        finding,
        ctx.body.version,
        {"state": "withdrawn", "version": ctx.body.version + 1},
        lambda: finding_facts(finding),
    )
    audit(
        ctx.session,
        "finding.withdrawn",
        ctx.user,
        enterprise_id=application.enterprise_id,
        application_id=application.id,
        before={"finding": before},
        after={"finding": finding_facts(finding)},
    )
    return finding


_OPEN_FINDINGS = (
    select(Finding)
    .where(Finding.application_id == bindparam("application"), Finding.state == "open")
    .order_by(Finding.id)
)


async def open_findings(session: AsyncSession, application: Application) -> list[Finding]:
    """The application's open findings, oldest first."""
    return list(await session.scalars(_OPEN_FINDINGS, {"application": application.id}))


async def raise_findings(ctx: Context, application: Application, findings: list[Finding]) -> None:
    """Every open finding (``findings``, as ``open_findings`` read them) becomes a review hazard
    of the application, with the rectification deadline, so that the enterprise rectifies it
    and a reviewer verifies it (the closed loop)."""
    if not findings:
        return
    due = deadline(ctx, application, "rectification_working_days")
    hazards = [
        Hazard(
            enterprise_id=application.enterprise_id,
            application_id=application.id,
            item_id=f.item_id,
            source="review",
            level=f.level,
            deadline=due,
            description=f.text + (f"（位置：{f.location}）" if f.location else ""),
        )
        for f in findings
    ]
    ctx.session.add_all(hazards)
    await ctx.session.flush()
    for finding, hazard in zip(findings, hazards, strict=True):
        await versioned_update(
            ctx.session,
            Finding,
            finding,
            finding.version,
            {"state": "raised", "hazard_id": hazard.id, "version": finding.version + 1},
            partial(finding_facts, finding),
        )
        audit(
            ctx.session,
            "finding.raised",
            ctx.user,
            enterprise_id=application.enterprise_id,
            application_id=application.id,
            after={"finding": finding_facts(finding)},
        )
