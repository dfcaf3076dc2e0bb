"""Applications (评审申请): creation and every workflow action with its rules and effects,
atomic and audited. Writes use optimistic concurrency (``StaleVersion``: 409 with the current
state)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from pydantic_core import from_json
from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7  # the models' ids (advanced-alchemy[uuid])

from anbiao.api.applications.review import assign, conclude
from anbiao.api.applications.rules import (
    Context,
    deadline,
    need_reason,
    procedure,
    reviewer_ids,
    summary,
)
from anbiao.api.applications.workflow import Action, next_state
from anbiao.api.assessments.service import Scored, count_open_major, score_answers
from anbiao.api.kernel import audit
from anbiao.api.kernel.db import insert_audited, serialize, versioned_update
from anbiao.api.kernel.errors import Conflict, Rejected
from anbiao.api.kernel.jsontext import as_text
from anbiao.api.kernel.models import (
    TERMINAL,
    Application,
    Assessment,
    Certificate,
    Enterprise,
    Hazard,
    Role,
    State,
    User,
)
from anbiao.core.engine import Engine
from anbiao.core.errors import Message

# --- accounts and enterprises ---------------------------------------------------------------------


# --- assessments ---------------------------------------------------------------------------------


# --- applications --------------------------------------------------------------------------------

CERTIFICATE_NUMBERS = 0x616E62696E6F  # the advisory lock of certificate numbering

# The actions that write the application's row and its audit event only: one statement on
# PostgreSQL (``versioned_update``), so their requests need no transaction (``db.ONE_WRITE``).
# Every other action writes more (assignments, hazards, certificates) in one transaction.
ONE_WRITE_ACTIONS = frozenset(
    a.value
    for a in (
        Action.submit,
        Action.withdraw,
        Action.accept,
        Action.return_,
        Action.submit_rectification,
        Action.approve,
        Action.record_objection,
        Action.reject,
    )
)


# The enterprise as an application records it, and whether it has one in progress already
# (one at a time), in one statement.
_APPLICANT = select(
    Enterprise.region,
    Enterprise.industry,
    select(Application.id)
    .where(
        Application.enterprise_id == Enterprise.id,
        Application.state.in_(
            [literal(s.value) for s in State if s not in TERMINAL and s is not State.certified]
        ),
    )
    .exists(),
).where(Enterprise.id == bindparam("enterprise"))


async def create_application(
    session: AsyncSession, engine: Engine, user: User, assessment: Assessment
) -> Application:
    found = await session.execute(_APPLICANT, {"enterprise": assessment.enterprise_id})
    region, industry, in_progress = found.one()
    if in_progress:
        raise Conflict(Message("application.in_progress"))
    scored = score_answers(engine, assessment.profile, assessment.answers, assessment.id)
    application_id = uuid7()
    values = {
        "id": application_id,
        "enterprise_id": assessment.enterprise_id,
        "assessment_id": assessment.id,
        "region": region,
        "industry": industry,
        "state": State.draft.value,
        "profile": assessment.profile,
        "fingerprint": assessment.fingerprint,
        "answers": assessment.answers,
        "self_result": summary(scored),
    }
    event = audit.event(
        "application.created",
        user,
        enterprise_id=assessment.enterprise_id,
        application_id=application_id,
        after={"state": State.draft.value},
    )
    return await insert_audited(session, Application, values, event)  # one statement on PostgreSQL


async def transition(ctx: Context, application: Application, action: str) -> Application:
    """Apply a workflow action with its rules and side effects, atomically and audited."""
    role = Role(ctx.user.role)
    state = State(application.state)
    target = next_state(state, action, role)
    before = {"state": state.value, "cycle": application.cycle, "version": application.version}
    values: dict[str, Any] = {"state": target.value, "version": ctx.body.version + 1}
    if target in TERMINAL:
        values["due_on"] = None  # no clock runs on an ended application
    handler = _EFFECTS.get(Action(action))
    if handler is not None:
        values.update(await handler(ctx, application) or {})
    after = {
        k: (str(v) if isinstance(v, date) else v)
        for k, v in values.items()
        if k in ("state", "cycle", "reasons", "reopened_items", "due_on", "version")
    }
    if role is Role.reviewer and action.startswith("conclude"):
        after["review_result"] = values["review_result"]
    await versioned_update(
        ctx.session,
        Application,
        application,
        ctx.body.version,
        values,
        lambda: {"state": application.state, "version": application.version},
        audit.event(
            f"application.{action}",
            ctx.user,
            enterprise_id=application.enterprise_id,
            application_id=application.id,
            before=before,
            after=after,
        ),
    )
    return application


# What a submission reads besides the application, in one statement: the self-assessment's
# answers and the enterprise's profile as their JSON text (the engine keeps both validated)
# and the enterprise's major hazards not closed.
_SUBMISSION = (
    select(
        as_text(Assessment.answers),
        Assessment.fingerprint,
        as_text(Enterprise.profile),
        count_open_major(Enterprise.id).scalar_subquery(),
    )
    .join_from(Assessment, Enterprise, Enterprise.id == Assessment.enterprise_id)
    .where(Assessment.id == bindparam("assessment"))
)


async def _submit(ctx: Context, application: Application) -> dict[str, Any]:
    found = await ctx.session.execute(_SUBMISSION, {"assessment": application.assessment_id})
    answers_text, fingerprint, profile_text, open_major = found.one()
    answers, _ = ctx.engine.sheets.read(application.assessment_id, answers_text)
    profile, composed = ctx.engine.stored_profile(profile_text)
    scored = Scored(
        composed, ctx.engine.score_kept(application.assessment_id, composed, profile), profile
    )
    reasons = [i.coded for i in scored.result.ineligible]
    if not reasons and composed.fingerprint != fingerprint:
        reasons.append(Message("application.checklist_changed"))
    if open_major:
        reasons.append(Message("application.open_major_hazards"))
    if reasons:
        raise Rejected(Message("application.not_eligible"), reasons)
    changed = sorted(
        k for k in {*application.answers, *answers} if application.answers.get(k) != answers.get(k)
    )
    reviewed = await reviewer_ids(ctx.session, application)
    return {
        "cycle": application.cycle + 1 if reviewed else application.cycle,  # a new review round
        "profile": from_json(profile_text),
        "answers": answers,
        "fingerprint": fingerprint,
        "self_result": summary(scored),
        "submitted_on": ctx.today,
        "due_on": deadline(ctx, application, "acceptance_working_days"),
        "reopened_items": changed if application.state == State.returned else [],
    }


async def _return(ctx: Context, application: Application) -> dict[str, Any]:
    reason = need_reason(ctx)
    composed = ctx.engine.profile_of(application.profile)[1]
    unknown = [i for i in ctx.body.items if i not in composed.items]
    if unknown:
        raise Rejected(Message("application.unknown_items"), unknown)
    return {"reasons": reason, "reopened_items": list(ctx.body.items), "due_on": None}


async def _accept(ctx: Context, application: Application) -> dict[str, Any]:
    return {"due_on": deadline(ctx, application, "review_working_days"), "reasons": ""}


_UNRECTIFIED = (
    select(func.count())
    .select_from(Hazard)
    .where(
        Hazard.application_id == bindparam("application"),
        Hazard.state.in_([literal("open"), literal("rectifying")]),
    )
)


async def _submit_rectification(ctx: Context, application: Application) -> dict[str, Any]:
    if pending := await ctx.session.scalar(_UNRECTIFIED, {"application": application.id}):
        raise Rejected(Message("application.hazards_lack_evidence", {"count": pending}))
    # the same reviewers verify the rectification: the review round continues
    return {"due_on": deadline(ctx, application, "review_working_days")}


async def _approve(ctx: Context, application: Application) -> dict[str, Any]:
    return {"due_on": deadline(ctx, application, "publicity_working_days")}


async def _objection(ctx: Context) -> dict[str, Any]:
    """An objection received during publicity; its text goes into the audit trail."""
    return {"reasons": need_reason(ctx)}


async def _reject(ctx: Context, application: Application) -> dict[str, Any]:
    return {"reasons": need_reason(ctx), "due_on": None}


async def _certify(ctx: Context, application: Application) -> dict[str, Any]:
    if application.due_on is not None and ctx.today < application.due_on:
        raise Conflict(Message("application.publicity_running", {"until": application.due_on}))
    composed = ctx.engine.profile_of(application.profile)[1]
    years = procedure(composed)["certificate_validity_years"]
    await serialize(ctx.session, CERTIFICATE_NUMBERS)  # certifications at once: one by one
    count = await ctx.session.scalar(select(func.count()).select_from(Certificate))
    number = f"AB{application.region[:2]}-{ctx.today.year}-{int(count or 0) + 1:06d}"
    result = application.review_result or application.self_result
    band = next((b for b in composed.scoring.bands if b.id == result.get("band")), None)
    ctx.session.add(
        Certificate(
            number=number,
            application_id=application.id,
            enterprise_id=application.enterprise_id,
            enterprise_name=str(application.profile.get("name", "")),
            grade=band.title.zh_CN if band else "达标",
            issued_on=ctx.today,
            valid_until=ctx.today.replace(year=ctx.today.year + years),
        )
    )
    return {"due_on": None, "reasons": ""}


async def _end_certificate(ctx: Context, application: Application, status: str) -> dict[str, Any]:
    certificate = await ctx.session.scalar(
        select(Certificate).where(Certificate.application_id == application.id)
    )
    if certificate is None:
        raise Conflict(Message("certificate.missing"))
    if status == "expired" and certificate.valid_until > ctx.today:
        raise Conflict(Message("certificate.still_valid", {"until": certificate.valid_until}))
    certificate.status = status
    if status == "revoked":
        certificate.revoked_reason = need_reason(ctx)
        return {"reasons": certificate.revoked_reason}
    return {}


_EFFECTS: dict[Action, Callable[[Context, Application], Awaitable[dict[str, Any]]]] = {
    Action.submit: _submit,
    Action.return_: _return,
    Action.accept: _accept,
    Action.assign: assign,
    Action.conclude_pass: lambda c, a: conclude(c, a, "pass"),
    Action.conclude_rectify: lambda c, a: conclude(c, a, "rectify"),
    Action.conclude_fail: lambda c, a: conclude(c, a, "fail"),
    Action.submit_rectification: _submit_rectification,
    Action.approve: _approve,
    Action.reject: _reject,
    Action.record_objection: lambda c, a: _objection(c),
    Action.certify: _certify,
    Action.revoke: lambda c, a: _end_certificate(c, a, "revoked"),
    Action.expire: lambda c, a: _end_certificate(c, a, "expired"),
}


# --- reviewer findings (评审发现的问题) -----------------------------------------------------------
