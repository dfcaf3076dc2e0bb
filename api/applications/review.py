"""The review (评审): reviewer assignment and conflicts, item scores, the comparison
with the self-assessment and the conclusion."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from anbiao.api.applications.findings import open_findings, raise_findings
from anbiao.api.applications.rules import Context, deadline, my_assignment, reviewers_of, summary
from anbiao.api.assessments.service import Scored, score_answers
from anbiao.api.kernel import audit
from anbiao.api.kernel.db import now, write_audited
from anbiao.api.kernel.errors import Conflict, Rejected, StaleVersion
from anbiao.api.kernel.jsontext import EncodedJSON
from anbiao.api.kernel.models import (
    Application,
    Assignment,
    Enterprise,
    Finding,
    Hazard,
    Role,
    State,
    User,
)
from anbiao.core.engine import Engine
from anbiao.core.errors import Message
from anbiao.core.models.answers import changed_answers, sheet_of

MIN_REVIEWERS = 2


async def assign(ctx: Context, application: Application) -> dict[str, Any]:
    ids = list(dict.fromkeys(ctx.body.reviewer_ids))
    if len(ids) < MIN_REVIEWERS:
        raise Rejected(Message("review.too_few_reviewers", {"min": MIN_REVIEWERS}))
    params = {"ids": ids, "enterprise": application.enterprise_id, "application": application.id}
    found = (await ctx.session.execute(_CANDIDATES, params)).all()
    candidates = {row[0].id: row for row in found}  # (account, enterprise, reviewed before)
    problems = []
    for reviewer_id in ids:
        if (row := candidates.get(reviewer_id)) is None or row[0].role != Role.reviewer:
            problems.append(Message("review.not_a_reviewer", {"reviewer": reviewer_id}))
            continue
        reviewer, enterprise, before = row
        problems.extend(
            Message("review.conflict", {"reviewer": reviewer.name, "conflict": c})
            for c in conflicts(reviewer, enterprise, {reviewer_id} if before else set())
        )
    if problems:
        raise Rejected(Message("review.reviewers_refused"), problems)
    for reviewer_id in ids:
        ctx.session.add(
            Assignment(
                application_id=application.id,
                reviewer_id=reviewer_id,
                cycle=application.cycle,
                answers={},
            )
        )
    return {}


_REVIEWED_BEFORE = (
    select(Assignment.reviewer_id)
    .join(Application, Application.id == Assignment.application_id)
    .where(
        Application.enterprise_id == bindparam("enterprise"),
        Application.id != bindparam("application"),
    )
)


# The accounts named for an assignment, each with the enterprise and whether it reviewed the
# enterprise's other applications before: one statement.
_CANDIDATES = (
    select(User, Enterprise, _REVIEWED_BEFORE.where(Assignment.reviewer_id == User.id).exists())
    .join_from(User, Enterprise, Enterprise.id == bindparam("enterprise"))
    .where(User.id.in_(bindparam("ids", expanding=True)))
)


async def reviewed_before(session: AsyncSession, application: Application) -> set[UUID]:
    """Reviewers of the enterprise's other applications (earlier cycles)."""
    params = {"enterprise": application.enterprise_id, "application": application.id}
    return set(await session.scalars(_REVIEWED_BEFORE, params))


def conflicts(reviewer: User, enterprise: Enterprise, reviewed_before: set[UUID]) -> list[Message]:
    """Why a reviewer may not review this enterprise (domain mismatch, conflict of interest)."""
    out = []
    profile = enterprise.profile
    if enterprise.industry not in reviewer.domains:
        out.append(Message("review.domain_mismatch", {"industry": enterprise.industry}))
    employer = reviewer.employer.strip()
    if employer and employer in (enterprise.consultant.strip(), enterprise.name, enterprise.uscc):
        out.append(Message("review.same_employer"))
    if reviewer.id in reviewed_before:
        out.append(Message("review.reviewed_before"))
    if not str(profile.get("region", "")).startswith(reviewer.region_prefix):
        out.append(Message("review.outside_region"))
    return out


async def review_scores(
    session: AsyncSession,
    engine: Engine,
    application: Application,
    assignments: list[Assignment] | None = None,
) -> Scored:
    """The review result: self answers overridden item by item by the reviewers' answers, a
    later assignment's over an earlier one's (``assignments``: the current cycle's in the order
    they were made, when already read). Each part's validated answers
    are kept by the engine, so only what changed since is validated."""
    answers = dict(engine.sheets.validated(("application", application.id), application.answers))
    if assignments is None:
        assignments = await reviewers_of(session, application, application.cycle)
    for assignment in assignments:
        answers.update(engine.sheets.validated(("assignment", assignment.id), assignment.answers))
    profile, composed = engine.profile_of(application.profile)
    return Scored(composed, engine.score(composed, sheet_of(answers), profile), profile)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Self-assessment against the reviewers' scores (current cycle); ``review`` None before any
    reviewer is assigned. ``items`` in composition order, each with its self/review status,
    earned points and the delta (review − self)."""

    own: Scored
    review: Scored | None
    items: list[dict[str, Any]]

    def totals(self) -> dict[str, Any]:
        own, review = self.own.result, self.review.result if self.review else None
        return {
            "self_earned": own.earned,
            "self_applicable": own.applicable,
            "self_percentage": str(own.percentage),
            "review_earned": review.earned if review else None,
            "review_applicable": review.applicable if review else None,
            "review_percentage": str(review.percentage) if review else None,
        }


async def compare(
    session: AsyncSession,
    engine: Engine,
    application: Application,
    only: Collection[str] | None = None,
    assignments: list[Assignment] | None = None,
) -> Comparison:
    """Item by item: the frozen self-assessment and the review result of the current cycle
    (``only``: just these items, in composition order, the totals still whole;
    ``assignments``: the current cycle's, when already read)."""
    own = score_answers(
        engine, application.profile, application.answers, ("application", application.id)
    )
    review = None
    if assignments is None:
        assignments = await reviewers_of(session, application, application.cycle)
    if assignments:
        review = await review_scores(session, engine, application, assignments)
    ids = own.result.trace.ids
    if only is not None:
        wanted = set(only)
        ids = tuple(i for i in ids if i in wanted)
    items = []
    for item_id in ids:
        s = own.result.item(item_id)
        r = review.result.item(item_id) if review else None
        items.append(
            {
                "item_id": s.item_id,
                "self_status": s.status,
                "self_earned": s.earned,
                "review_status": r.status if r else None,
                "review_earned": r.earned if r else None,
                "delta": (r.earned - s.earned) if r else None,
            }
        )
    return Comparison(own, review, items)


async def conclude(ctx: Context, application: Application, outcome: str) -> dict[str, Any]:
    assignments = ctx.assignments
    if assignments is None:
        assignments = await reviewers_of(ctx.session, application, application.cycle)
    await my_assignment(ctx, application, assignments)
    scored = await review_scores(ctx.session, ctx.engine, application, assignments)
    outcome_summary = summary(scored)
    if outcome == "pass" and not scored.result.passed:
        raise Rejected(Message("review.result_fails"), [i.coded for i in scored.result.ineligible])
    findings = await open_findings(ctx.session, application)
    if outcome == "pass" and (blocking := await _major_open(ctx.session, application, findings)):
        raise Rejected(Message("review.open_major"), blocking)
    values: dict[str, Any] = {"review_result": outcome_summary, "due_on": None}
    if outcome == "rectify":
        await _raise_review_hazards(ctx, application, scored)
        values["due_on"] = deadline(ctx, application, "rectification_working_days")
    # every open finding becomes a hazard, whatever the outcome
    await raise_findings(ctx, application, findings)
    return values  # the versioned update sets them on ``application`` (no second UPDATE)


# The review hazards not raised from a finding, still open: a rectify raises no second one.
_UNCLOSED_REVIEW_ITEMS = select(Hazard.item_id).where(
    Hazard.application_id == bindparam("application"),
    Hazard.state != "closed",
    Hazard.id.not_in(
        select(Finding.hazard_id).where(
            Finding.application_id == bindparam("application"), Finding.hazard_id.is_not(None)
        )
    ),
)


async def _raise_review_hazards(ctx: Context, application: Application, scored: Scored) -> None:
    """Each failed item of the review becomes a hazard of the application (the open findings
    follow in ``conclude``)."""
    params = {"application": application.id}
    existing = set(await ctx.session.scalars(_UNCLOSED_REVIEW_ITEMS, params))
    for finding in scored.result.hazards:
        if finding.item_id in existing:
            continue
        text = scored.composed.items[finding.item_id].item.requirement.zh_CN
        ctx.session.add(
            Hazard(
                enterprise_id=application.enterprise_id,
                application_id=application.id,
                item_id=finding.item_id,
                source="review",
                level=finding.level.value,
                description=finding.note or text,
                deadline=deadline(ctx, application, "rectification_working_days"),
            )
        )


async def save_review(
    ctx: Context, application: Application, assignments: list[Assignment] | None = None
) -> tuple[Assignment, tuple[str, ...]]:
    """A reviewer's item scores for the current cycle, merged into the earlier ones: only the
    changed answers are validated (the engine keeps the reviewer's validated sheet) and audited
    (before → after); a batch that changes nothing writes nothing; when another save of the
    reviewer wrote since the scores were read, the batch is merged again into what it wrote.
    ``assignments``: the current cycle's, when already read. Returns the assignment and the
    items changed."""
    if application.state != State.under_review:
        raise Conflict(Message("review.wrong_state", {"state": application.state}))
    assignment = await my_assignment(ctx, application, assignments)
    profile, composed = ctx.engine.profile_of(application.profile)
    for _ in range(SAVE_ATTEMPTS):
        stored: dict[str, Any] = assignment.answers
        changes = changed_answers(stored, ctx.body.answers)
        if not changes:
            return assignment, ()
        key = ("assignment", assignment.id)
        merged = ctx.engine.sheets.merge(key, stored, changes)
        ctx.engine.score_kept(key, composed, profile)  # raises on answers the checklist refuses
        event = audit.event(
            "review.scored",
            ctx.user,
            enterprise_id=application.enterprise_id,
            application_id=application.id,
            before={k: stored.get(k) for k in changes},
            after=changes.stored,
        )
        params = {
            "assignment": assignment.id,
            "seen": assignment.updated_at,
            "answers": merged.text,
            "now": now(),
        }
        updated_at = await write_audited(ctx.session, _SCORED, params, event)
        if updated_at is not None:
            set_committed_value(assignment, "answers", merged.stored)
            set_committed_value(assignment, "updated_at", updated_at)
            return assignment, tuple(changes)
        # another save of this reviewer (a second tab) wrote since: merge into what it wrote
        await ctx.session.refresh(assignment)
    raise StaleVersion({"answers": assignment.answers})


SAVE_ATTEMPTS = 3
# A reviewer's scores, written as the merged JSON text over the scores the save read (as of
# their ``updated_at``): a concurrent save of the same reviewer is merged into, never lost.
_SCORED = (
    update(Assignment)
    .where(Assignment.id == bindparam("assignment"), Assignment.updated_at == bindparam("seen"))
    .values(answers=bindparam("answers", type_=EncodedJSON()), updated_at=bindparam("now"))
    .returning(Assignment.updated_at)
    .execution_options(synchronize_session=False)
)


_MAJOR_UNCLOSED = (
    select(Hazard.description)
    .where(
        Hazard.application_id == bindparam("application"),
        Hazard.level == "major",
        Hazard.state != "closed",
    )
    .order_by(Hazard.id)
)


async def _major_open(
    session: AsyncSession, application: Application, findings: list[Finding]
) -> list[Message]:
    """Why a review cannot pass: open major findings (of ``findings``, the open ones) and major
    hazards of the application not closed (重大事故隐患 must be rectified first)."""
    hazards = await session.scalars(_MAJOR_UNCLOSED, {"application": application.id})
    return [
        Message("review.open_major_finding", {"text": f.text})
        for f in findings
        if f.level == "major"
    ] + [Message("review.major_hazard_open", {"text": t}) for t in hazards]
