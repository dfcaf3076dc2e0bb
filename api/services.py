"""Domain operations of the service. The core engine decides every score; nothing here scores.

Writes use optimistic concurrency: each row has a ``version``; an update names the version it
read and fails with :class:`StaleVersion` (409 with the current state) when another write won.
Every state change, answer change and decision appends an :class:`~anbiao.api.db.Event`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from anbiao.api.db import (
    Application,
    Assessment,
    Assignment,
    Certificate,
    Enterprise,
    Event,
    Finding,
    Hazard,
    Role,
    User,
)
from anbiao.api.security import hash_password
from anbiao.api.workdays import add_working_days
from anbiao.api.workflow import TERMINAL, Action, State, next_state
from anbiao.core.compose import ComposedChecklist
from anbiao.core.engine import Engine
from anbiao.core.errors import AnbiaoError
from anbiao.core.models.answers import Answer, AnswerSheet
from anbiao.core.models.profile import Profile
from anbiao.core.report import result_to_dict
from anbiao.core.result import AssessmentResult
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

# Region procedure defaults (domain.md §2.2–2.3; [U]/[P] values): an overlay's `procedure` wins.
DEFAULT_PROCEDURE = {
    "acceptance_working_days": 10,
    "review_working_days": 60,
    "rectification_working_days": 20,
    "publicity_working_days": 7,
    "certificate_validity_years": 3,
}
MIN_REVIEWERS = 2


class StaleVersion(AnbiaoError):
    """The row changed since the caller read it; carries the current state."""

    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current
        super().__init__("数据已被他人修改，请刷新后重试 / changed by someone else: reload and retry")


class Conflict(AnbiaoError):
    """A request that contradicts the current state (409), e.g. a second active application."""


class Rejected(AnbiaoError):
    """A request the rules refuse (422), with the reasons."""

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        self.reasons = reasons or []
        super().__init__(message)


def audit(
    session: AsyncSession,
    action: str,
    actor: User | None,
    *,
    enterprise_id: UUID | None = None,
    application_id: UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(Event(action=action, actor_id=actor.id if actor else None, before=before,
                      after=after, enterprise_id=enterprise_id, application_id=application_id))


def procedure(composed: ComposedChecklist) -> dict[str, int]:
    """The region's deadlines and validity: the overlay's values over the defaults."""
    rules = composed.procedure.model_dump(exclude_none=True, exclude={"assumptions"})
    return {**DEFAULT_PROCEDURE, **rules}


# --- accounts and enterprises ----------------------------------------------------------------------


def check_profile(engine: Engine, profile: Profile) -> list[str]:
    """Warnings of a valid profile; errors raise :class:`Rejected`."""
    issues = engine.check_profile(profile)
    errors = [str(i) for i in issues if i.severity == "error"]
    if errors:
        raise Rejected("企业信息有误 / invalid profile", errors)
    return [str(i) for i in issues if i.severity != "error"]


async def _hash(password: str) -> str:
    """argon2 is slow by design: hash in a thread (the event loop keeps serving) and before the
    transaction begins (on SQLite it would hold the write lock meanwhile)."""
    return await asyncio.to_thread(hash_password, password)


async def create_user(
    session: AsyncSession, *, email: str, password: str, name: str, role: Role, **fields: Any
) -> User:
    return await _add_user(session, email=email, password_hash=await _hash(password), name=name,
                           role=role, **fields)


async def _add_user(
    session: AsyncSession, *, email: str, password_hash: str, name: str, role: Role, **fields: Any
) -> User:
    email = email.strip().lower()
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"邮箱已注册 / e-mail already registered: {email}")
    user = User(email=email, name=name, role=role.value, password_hash=password_hash, **fields)
    session.add(user)
    await session.flush()
    return user


async def sign_up(session: AsyncSession, engine: Engine, data: Any) -> User:
    """Register an enterprise with its first user."""
    check_profile(engine, data.profile)
    password_hash = await _hash(data.password)
    uscc = data.profile.uscc
    if await session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc)) is not None:
        raise Conflict(f"该统一社会信用代码已注册 / USCC already registered: {uscc}")
    enterprise = Enterprise(uscc=uscc, name=data.profile.name, region=data.profile.region,
                            industry=data.profile.industry, consultant=data.consultant,
                            profile=data.profile.model_dump(mode="json"))
    session.add(enterprise)
    await session.flush()
    user = await _add_user(session, email=data.email, password_hash=password_hash, name=data.name,
                           role=Role.enterprise, enterprise_id=enterprise.id)
    audit(session, "enterprise.registered", user, enterprise_id=enterprise.id,
          after={"uscc": uscc, "name": enterprise.name})
    return user


async def update_profile(
    session: AsyncSession, engine: Engine, user: User, enterprise: Enterprise, data: Any
) -> Enterprise:
    """A new profile; applications already submitted keep the profile they froze."""
    check_profile(engine, data.profile)
    if data.profile.uscc != enterprise.uscc:
        raise Rejected("统一社会信用代码不可修改 / the USCC cannot change")
    before = enterprise.profile
    values = {"profile": data.profile.model_dump(mode="json"), "name": data.profile.name,
              "region": data.profile.region, "industry": data.profile.industry,
              "version": data.version + 1}
    if data.consultant is not None:
        values["consultant"] = data.consultant
    await _versioned_update(session, Enterprise, enterprise, data.version, values,
                            lambda: enterprise_view(engine, enterprise))
    audit(session, "enterprise.profile_changed", user, enterprise_id=enterprise.id,
          before=before, after=values["profile"])
    return enterprise


def enterprise_view(engine: Engine, enterprise: Enterprise) -> dict[str, Any]:
    profile = Profile.model_validate(enterprise.profile)
    return {
        "id": enterprise.id, "uscc": enterprise.uscc, "name": enterprise.name,
        "region": enterprise.region, "industry": enterprise.industry,
        "profile": enterprise.profile, "consultant": enterprise.consultant,
        "version": enterprise.version, "size_class": profile.size_class().value,
        "warnings": profile.warnings(),
    }


async def _versioned_update(session, model, row, version: int, values: dict[str, Any], current):
    """UPDATE … WHERE id = … AND version = …; a lost race raises StaleVersion(current state).
    On success ``row`` takes the written values as they now stand in the database (no reload)."""
    updated_at = await session.scalar(
        update(model).where(model.id == row.id, model.version == version).values(**values)
        .returning(model.updated_at).execution_options(synchronize_session=False)
    )
    if updated_at is None:
        await session.refresh(row)
        raise StaleVersion(current())
    for key, value in {**values, "updated_at": updated_at}.items():
        set_committed_value(row, key, value)


# --- assessments ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scored:
    composed: ComposedChecklist
    result: AssessmentResult
    profile: Profile


def score_answers(engine: Engine, profile_data: dict[str, Any], answers: dict[str, Any]) -> Scored:
    profile = Profile.model_validate(profile_data)
    composed = engine.compose(profile)
    sheet = AnswerSheet.model_validate({"answers": answers})
    return Scored(composed, engine.score(composed, sheet, profile), profile)


async def create_assessment(
    session: AsyncSession, engine: Engine, user: User, enterprise: Enterprise
) -> Assessment:
    profile = Profile.model_validate(enterprise.profile)
    composed = engine.compose(profile)
    assessment = Assessment(
        enterprise_id=enterprise.id, profile=enterprise.profile, fingerprint=composed.fingerprint,
        packs=[{"id": p.id, "version": p.version, "kind": p.kind} for p in composed.packs],
        answers={},
    )
    session.add(assessment)
    await session.flush()
    audit(session, "assessment.created", user, enterprise_id=enterprise.id,
          after={"assessment": str(assessment.id), "fingerprint": composed.fingerprint})
    return assessment


def assessment_view(
    engine: Engine, assessment: Assessment, scored: Scored | None = None
) -> dict[str, Any]:
    """The assessment with its live result (``scored``: its answers' score, when known)."""
    scored = scored or score_answers(engine, assessment.profile, assessment.answers)
    result = result_to_dict(scored.result, scored.composed)
    result["checklist_current"] = scored.composed.fingerprint == assessment.fingerprint
    return {"id": assessment.id, "enterprise_id": assessment.enterprise_id,
            "fingerprint": assessment.fingerprint, "packs": assessment.packs,
            "answers": assessment.answers, "version": assessment.version, "result": result}


async def save_answers(
    session: AsyncSession, engine: Engine, user: User, assessment: Assessment, patch: Any
) -> Scored:
    """Merge a batch of answers (null clears one); validated by the engine; never a lost update.
    Returns the score of the saved answers."""
    applications = await _applications_on(session, assessment)
    if _frozen(applications):
        raise Conflict("自评已提交评审，不能修改 / the assessment is under an active application")
    reopened = _reopened(applications)
    merged = dict(assessment.answers)
    changed: dict[str, Any] = {}
    for item_id, answer in patch.answers.items():
        value = None if answer is None else answer.model_dump(mode="json", exclude_defaults=True)
        if merged.get(item_id) != value:
            changed[item_id] = value
        if value is None:
            merged.pop(item_id, None)
        else:
            merged[item_id] = value
    if reopened is not None and (closed := sorted(set(changed) - reopened)):
        raise Conflict("退回补正只可修改退回的检查项 / a returned application reopens only its items: "
                       + ", ".join(closed))
    scored = score_answers(engine, assessment.profile, merged)  # raises on bad answers
    before = {k: assessment.answers.get(k) for k in changed}
    await _versioned_update(session, Assessment, assessment, patch.version,
                            {"answers": merged, "version": patch.version + 1},
                            lambda: assessment_view(engine, assessment))
    if changed:
        audit(session, "assessment.answers_saved", user, enterprise_id=assessment.enterprise_id,
              before=before, after=changed)
        await sync_self_hazards(session, assessment.enterprise_id, scored)
    return scored


async def sync_self_hazards(session: AsyncSession, enterprise_id: UUID, scored: Scored) -> None:
    """Every failed item of the self-assessment has an open hazard; a fixed one awaits
    verification (submitted) before it is closed by a reviewer or the authority.

    Set-based: one read of (id, item, state) and at most one statement per change, however
    many items a batch flips (the ORM would load, track and update each hazard)."""
    rows = await session.execute(select(Hazard.id, Hazard.item_id, Hazard.state).where(
        Hazard.enterprise_id == enterprise_id, Hazard.source == "self", Hazard.state != "closed"))
    open_by_item = {item_id: (hazard_id, state) for hazard_id, item_id, state in rows}
    failing = {f.item_id: f for f in scored.result.hazards}
    session.add_all(
        Hazard(enterprise_id=enterprise_id, item_id=item_id, source="self",
               level=finding.level.value,
               description=finding.note or scored.composed.items[item_id].item.requirement.zh_CN)
        for item_id, finding in failing.items() if item_id not in open_by_item)
    failing_again = [h for i, (h, state) in open_by_item.items()
                     if i in failing and state == "submitted"]  # back in rectification
    fixed = [h for i, (h, state) in open_by_item.items()
             if i not in failing and state in ("open", "rectifying")]
    for ids, state in ((failing_again, "rectifying"), (fixed, "submitted")):
        if ids:
            await session.execute(update(Hazard).where(Hazard.id.in_(ids)).values(
                state=state, updated_at=datetime.now(UTC))
                .execution_options(synchronize_session=False))  # none loaded in this session


_LIVE = frozenset(s.value for s in State
                 if s not in TERMINAL and s not in (State.draft, State.returned))


async def _applications_on(session: AsyncSession, assessment: Assessment
                           ) -> list[tuple[str, list[str]]]:
    """(state, reopened items) of every application made on this assessment: one query."""
    rows = await session.execute(select(Application.state, Application.reopened_items).where(
        Application.assessment_id == assessment.id))
    return [(state, items) for state, items in rows]


def _frozen(applications: list[tuple[str, list[str]]]) -> bool:
    return any(state in _LIVE for state, _ in applications)


def _reopened(applications: list[tuple[str, list[str]]]) -> set[str] | None:
    items = next((i for state, i in applications if state == State.returned.value), None)
    return set(items) if items else None


async def reopened_items(session: AsyncSession, assessment: Assessment) -> set[str] | None:
    """Items a return reopened, when the assessment's application is returned with a list."""
    return _reopened(await _applications_on(session, assessment))


async def is_frozen(session: AsyncSession, assessment: Assessment) -> bool:
    """An assessment under a live application (submitted and not returned or ended) is frozen."""
    return _frozen(await _applications_on(session, assessment))


# --- applications --------------------------------------------------------------------------------


async def create_application(
    session: AsyncSession, engine: Engine, user: User, assessment: Assessment
) -> Application:
    active = [s.value for s in State if s not in TERMINAL and s is not State.certified]
    query = select(Application.id).where(Application.enterprise_id == assessment.enterprise_id,
                                         Application.state.in_(active))
    if await session.scalar(query) is not None:
        raise Conflict("已有进行中的评审申请 / an application is already in progress")
    enterprise = await session.get_one(Enterprise, assessment.enterprise_id)
    scored = score_answers(engine, assessment.profile, assessment.answers)
    application = Application(
        enterprise_id=enterprise.id, assessment_id=assessment.id, region=enterprise.region,
        industry=enterprise.industry, state=State.draft.value, profile=assessment.profile,
        fingerprint=assessment.fingerprint, answers=assessment.answers,
        self_result=_summary(scored),
    )
    session.add(application)
    await session.flush()
    audit(session, "application.created", user, enterprise_id=enterprise.id,
          application_id=application.id, after={"state": application.state})
    return application


def _summary(scored: Scored) -> dict[str, Any]:
    r = scored.result
    return {"earned": r.earned, "applicable": r.applicable, "percentage": str(r.percentage),
            "passed": r.passed, "band": r.band.id if r.band else None, "vetoes": list(r.vetoes),
            "complete": r.complete, "eligible": r.eligible,
            "ineligible": [i.message for i in r.ineligible]}


async def reviewers_of(session: AsyncSession, application: Application, cycle: int | None = None):
    query = select(Assignment).where(Assignment.application_id == application.id)
    if cycle is not None:
        query = query.where(Assignment.cycle == cycle)
    return list(await session.scalars(query))


async def reviewer_ids(session: AsyncSession, application: Application) -> list[UUID]:
    """The reviewers assigned in the current cycle (ids only: no scores decoded)."""
    return list(await session.scalars(select(Assignment.reviewer_id).where(
        Assignment.application_id == application.id, Assignment.cycle == application.cycle)))


async def open_major_hazards(session: AsyncSession, enterprise_id: UUID) -> int:
    query = select(func.count()).select_from(Hazard).where(
        Hazard.enterprise_id == enterprise_id, Hazard.level == "major", Hazard.state != "closed")
    return int(await session.scalar(query) or 0)


@dataclass(slots=True)
class Context:
    """What a transition needs besides the application."""

    session: AsyncSession
    engine: Engine
    user: User
    today: date
    body: Any


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
    await _versioned_update(ctx.session, Application, application, ctx.body.version, values,
                            lambda: {"state": application.state, "version": application.version})
    after = {k: (str(v) if isinstance(v, date) else v) for k, v in values.items()
             if k in ("state", "cycle", "reasons", "reopened_items", "due_on", "version")}
    if role is Role.reviewer and action.startswith("conclude"):
        after["review_result"] = application.review_result
    audit(ctx.session, f"application.{action}", ctx.user, enterprise_id=application.enterprise_id,
          application_id=application.id, before=before, after=after)
    return application


def _deadline(ctx: Context, application: Application, key: str) -> date:
    composed = ctx.engine.compose(Profile.model_validate(application.profile))
    return add_working_days(ctx.today, procedure(composed)[key])


def _need_reason(ctx: Context) -> str:
    if not ctx.body.reason.strip():
        raise Rejected("请说明原因 / a reason is required")
    return ctx.body.reason.strip()


async def _submit(ctx: Context, application: Application) -> dict[str, Any]:
    assessment = await ctx.session.get_one(Assessment, application.assessment_id)
    enterprise = await ctx.session.get_one(Enterprise, application.enterprise_id)
    scored = score_answers(ctx.engine, enterprise.profile, assessment.answers)
    reasons = [i.message for i in scored.result.ineligible]
    if not reasons and scored.composed.fingerprint != assessment.fingerprint:
        reasons.append("清单已更新，请重新自评 / the checklist changed: start a new self-assessment")
    if await open_major_hazards(ctx.session, enterprise.id):
        reasons.append("存在未销号的重大事故隐患 / open major hazards must be closed first")
    if reasons:
        raise Rejected("不满足申请条件 / not eligible to apply", reasons)
    changed = sorted(k for k in {*application.answers, *assessment.answers}
                     if application.answers.get(k) != assessment.answers.get(k))
    reviewed = await reviewer_ids(ctx.session, application)
    return {
        "cycle": application.cycle + 1 if reviewed else application.cycle,  # a new review round
        "profile": enterprise.profile, "answers": assessment.answers,
        "fingerprint": assessment.fingerprint, "self_result": _summary(scored),
        "submitted_on": ctx.today, "due_on": _deadline(ctx, application, "acceptance_working_days"),
        "reopened_items": changed if application.state == State.returned else [],
    }


async def _return(ctx: Context, application: Application) -> dict[str, Any]:
    reason = _need_reason(ctx)
    composed = ctx.engine.compose(Profile.model_validate(application.profile))
    unknown = [i for i in ctx.body.items if i not in composed.items]
    if unknown:
        raise Rejected("未知检查项 / unknown items", unknown)
    return {"reasons": reason, "reopened_items": list(ctx.body.items), "due_on": None}


async def _accept(ctx: Context, application: Application) -> dict[str, Any]:
    return {"due_on": _deadline(ctx, application, "review_working_days"), "reasons": ""}


async def _assign(ctx: Context, application: Application) -> dict[str, Any]:
    ids = list(dict.fromkeys(ctx.body.reviewer_ids))
    if len(ids) < MIN_REVIEWERS:
        raise Rejected(f"至少指派 {MIN_REVIEWERS} 名评审员 / assign at least {MIN_REVIEWERS} reviewers")
    enterprise = await ctx.session.get_one(Enterprise, application.enterprise_id)
    earlier = await reviewed_before(ctx.session, application)
    problems = []
    for reviewer_id in ids:
        reviewer = await ctx.session.get(User, reviewer_id)
        if reviewer is None or reviewer.role != Role.reviewer:
            problems.append(f"{reviewer_id}: 不是评审员 / not a reviewer")
            continue
        problems.extend(f"{reviewer.name}: {c}" for c in conflicts(reviewer, enterprise, earlier))
    if problems:
        raise Rejected("评审员不符合要求 / reviewers refused", problems)
    for reviewer_id in ids:
        ctx.session.add(Assignment(application_id=application.id, reviewer_id=reviewer_id,
                                   cycle=application.cycle, answers={}))
    return {}


async def reviewed_before(session: AsyncSession, application: Application) -> set[UUID]:
    """Reviewers of the enterprise's other applications (earlier cycles)."""
    query = select(Assignment.reviewer_id).join(
        Application, Application.id == Assignment.application_id).where(
        Application.enterprise_id == application.enterprise_id, Application.id != application.id)
    return set(await session.scalars(query))


def conflicts(reviewer: User, enterprise: Enterprise, reviewed_before: set[UUID]) -> list[str]:
    """Why a reviewer may not review this enterprise (domain mismatch, conflict of interest)."""
    out = []
    profile = enterprise.profile
    if enterprise.industry not in reviewer.domains:
        out.append(f"专业不匹配 / domain mismatch: needs {enterprise.industry}")
    employer = reviewer.employer.strip()
    if employer and employer in (enterprise.consultant.strip(), enterprise.name, enterprise.uscc):
        out.append("利益冲突：与企业或其咨询机构同单位 / same employer as the enterprise or its "
                   "consultant")
    if reviewer.id in reviewed_before:
        out.append("上一周期评审过该企业 / reviewed this enterprise in the last cycle")
    if not str(profile.get("region", "")).startswith(reviewer.region_prefix):
        out.append("不在评审员所属地区 / outside the reviewer's region")
    return out


async def review_scores(ctx: Context, application: Application,
                        assignments: list[Assignment] | None = None) -> Scored:
    """The review result: self answers overridden item by item by the reviewers' answers
    (``assignments``: the current cycle's, when already read)."""
    merged = dict(application.answers)
    if assignments is None:
        assignments = await reviewers_of(ctx.session, application, application.cycle)
    for assignment in assignments:
        merged.update(assignment.answers)
    return score_answers(ctx.engine, application.profile, merged)


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
        return {"self_earned": own.earned, "self_applicable": own.applicable,
                "self_percentage": str(own.percentage),
                "review_earned": review.earned if review else None,
                "review_applicable": review.applicable if review else None,
                "review_percentage": str(review.percentage) if review else None}


async def compare(session: AsyncSession, engine: Engine, application: Application) -> Comparison:
    """Item by item: the frozen self-assessment and the review result of the current cycle."""
    own = score_answers(engine, application.profile, application.answers)
    review = None
    if assignments := await reviewers_of(session, application, application.cycle):
        reading = Context(session, engine, None, None, None)  # type: ignore[arg-type]
        review = await review_scores(reading, application, assignments)
    by_id = {s.item_id: s for s in review.result.items} if review else {}
    items = []
    for s in own.result.items:
        r = by_id.get(s.item_id)
        items.append({"item_id": s.item_id, "self_status": s.status, "self_earned": s.earned,
                      "review_status": r.status if r else None,
                      "review_earned": r.earned if r else None,
                      "delta": (r.earned - s.earned) if r else None})
    return Comparison(own, review, items)


async def _conclude(ctx: Context, application: Application, outcome: str) -> dict[str, Any]:
    await _my_assignment(ctx, application)
    scored = await review_scores(ctx, application)
    summary = _summary(scored)
    if outcome == "pass" and not scored.result.passed:
        raise Rejected("评审结果未达标，不能结论为通过 / the review result does not pass",
                       [i.message for i in scored.result.ineligible])
    if outcome == "pass" and (blocking := await _major_open(ctx.session, application)):
        raise Rejected("存在未整改的重大隐患，不能结论为通过 / open major findings or hazards: "
                       "the review cannot pass", blocking)
    values: dict[str, Any] = {"review_result": summary, "due_on": None}
    if outcome == "rectify":
        await _raise_review_hazards(ctx, application, scored)
        values["due_on"] = _deadline(ctx, application, "rectification_working_days")
    else:  # every finding becomes a hazard, whatever the outcome (rectify: in the call above)
        await raise_findings(ctx, application)
    application.review_result = summary
    return values


async def _my_assignment(ctx: Context, application: Application) -> Assignment:
    for assignment in await reviewers_of(ctx.session, application, application.cycle):
        if assignment.reviewer_id == ctx.user.id:
            return assignment
    raise Conflict("未被指派本轮评审 / not assigned to this review")


async def _raise_review_hazards(ctx: Context, application: Application, scored: Scored) -> None:
    """Each failed item of the review and each open finding becomes a hazard of the application."""
    from_findings = select(Finding.hazard_id).where(
        Finding.application_id == application.id, Finding.hazard_id.is_not(None))
    existing = set(await ctx.session.scalars(select(Hazard.item_id).where(
        Hazard.application_id == application.id, Hazard.state != "closed",
        Hazard.id.not_in(from_findings))))
    for finding in scored.result.hazards:
        if finding.item_id in existing:
            continue
        text = scored.composed.items[finding.item_id].item.requirement.zh_CN
        ctx.session.add(Hazard(
            enterprise_id=application.enterprise_id, application_id=application.id,
            item_id=finding.item_id, source="review", level=finding.level.value,
            description=finding.note or text,
            deadline=_deadline(ctx, application, "rectification_working_days")))
    await raise_findings(ctx, application)


async def _submit_rectification(ctx: Context, application: Application) -> dict[str, Any]:
    query = select(func.count()).select_from(Hazard).where(
        Hazard.application_id == application.id, Hazard.state.in_(("open", "rectifying")))
    if pending := await ctx.session.scalar(query):
        raise Rejected(f"还有 {pending} 项隐患未提交整改证据 / {pending} hazards lack evidence")
    # the same reviewers verify the rectification: the review round continues
    return {"due_on": _deadline(ctx, application, "review_working_days")}


async def _approve(ctx: Context, application: Application) -> dict[str, Any]:
    return {"due_on": _deadline(ctx, application, "publicity_working_days")}


async def _objection(ctx: Context) -> dict[str, Any]:
    """An objection received during publicity; its text goes into the audit trail."""
    return {"reasons": _need_reason(ctx)}


async def _reject(ctx: Context, application: Application) -> dict[str, Any]:
    return {"reasons": _need_reason(ctx), "due_on": None}


async def _certify(ctx: Context, application: Application) -> dict[str, Any]:
    if application.due_on is not None and ctx.today < application.due_on:
        raise Conflict(f"公示期至 {application.due_on} 结束 / publicity runs until {application.due_on}")
    composed = ctx.engine.compose(Profile.model_validate(application.profile))
    years = procedure(composed)["certificate_validity_years"]
    count = await ctx.session.scalar(select(func.count()).select_from(Certificate))
    number = f"AB{application.region[:2]}-{ctx.today.year}-{int(count or 0) + 1:06d}"
    result = application.review_result or application.self_result
    band = next((b for b in composed.scoring.bands if b.id == result.get("band")), None)
    ctx.session.add(Certificate(
        number=number, application_id=application.id, enterprise_id=application.enterprise_id,
        enterprise_name=str(application.profile.get("name", "")),
        grade=band.title.zh_CN if band else "达标", issued_on=ctx.today,
        valid_until=ctx.today.replace(year=ctx.today.year + years)))
    return {"due_on": None, "reasons": ""}


async def _end_certificate(ctx: Context, application: Application, status: str) -> dict[str, Any]:
    certificate = await ctx.session.scalar(
        select(Certificate).where(Certificate.application_id == application.id))
    if certificate is None:
        raise Conflict("没有证书 / no certificate")
    if status == "expired" and certificate.valid_until > ctx.today:
        raise Conflict(f"证书有效期至 {certificate.valid_until} / valid until {certificate.valid_until}")
    certificate.status = status
    if status == "revoked":
        certificate.revoked_reason = _need_reason(ctx)
        return {"reasons": certificate.revoked_reason}
    return {}


_EFFECTS = {
    Action.submit: _submit,
    Action.return_: _return,
    Action.accept: _accept,
    Action.assign: _assign,
    Action.conclude_pass: lambda c, a: _conclude(c, a, "pass"),
    Action.conclude_rectify: lambda c, a: _conclude(c, a, "rectify"),
    Action.conclude_fail: lambda c, a: _conclude(c, a, "fail"),
    Action.submit_rectification: _submit_rectification,
    Action.approve: _approve,
    Action.reject: _reject,
    Action.record_objection: lambda c, a: _objection(c),
    Action.certify: _certify,
    Action.revoke: lambda c, a: _end_certificate(c, a, "revoked"),
    Action.expire: lambda c, a: _end_certificate(c, a, "expired"),
}


async def save_review(ctx: Context, application: Application) -> Assignment:
    """A reviewer's item scores for the current cycle, validated by the engine."""
    if application.state != State.under_review:
        raise Conflict(f"当前状态不能评分 / cannot score in state '{application.state}'")
    assignment = await _my_assignment(ctx, application)
    merged = dict(assignment.answers)
    for item_id, answer in ctx.body.answers.items():
        if answer is None:
            merged.pop(item_id, None)
        else:
            merged[item_id] = Answer.model_dump(answer, mode="json", exclude_defaults=True)
    score_answers(ctx.engine, application.profile, {**application.answers, **merged})
    before = dict(assignment.answers)
    assignment.answers = merged
    audit(ctx.session, "review.scored", ctx.user, enterprise_id=application.enterprise_id,
          application_id=application.id, before=before, after=merged)
    return assignment




# --- reviewer findings (评审发现的问题) ---------------------------------------------------------------


def finding_facts(finding: Finding) -> dict[str, Any]:
    """A finding as the audit trail (and a 409's ``current``) shows it."""
    return {"id": str(finding.id), "cycle": finding.cycle, "item_id": finding.item_id,
            "element": finding.element, "text": finding.text, "level": finding.level,
            "location": finding.location, "evidence": list(finding.evidence),
            "state": finding.state, "version": finding.version,
            "hazard_id": str(finding.hazard_id) if finding.hazard_id else None}


def _finding_target(composed: ComposedChecklist, item_id: str, element: str) -> tuple[str, str]:
    """The item and element a finding concerns, checked against the application's checklist;
    an item implies its own element."""
    if item_id:
        if item_id not in composed.items:
            raise Rejected("未知检查项 / unknown item", [item_id])
        own = dict(zip(composed.items, composed.item_elements, strict=True))[item_id]
        if element and own != element and not own.startswith(element + "."):
            raise Rejected(f"检查项不属于要素 {element} / the item is not in element {element}",
                           [item_id])
        return item_id, own
    if element and element not in composed.element_codes:
        raise Rejected("未知要素 / unknown element", [element])
    return "", element


async def record_finding(ctx: Context, application: Application) -> Finding:
    """A finding of the current review round, by one of the round's assigned reviewers."""
    if application.state != State.under_review:
        raise Conflict(f"当前状态不能记录问题 / cannot record findings in state '{application.state}'")
    await _my_assignment(ctx, application)
    data = ctx.body
    composed = ctx.engine.compose(Profile.model_validate(application.profile))
    item_id, element = _finding_target(composed, data.item_id.strip(), data.element.strip())
    finding = Finding(application_id=application.id, enterprise_id=application.enterprise_id,
                      cycle=application.cycle, author_id=ctx.user.id, item_id=item_id,
                      element=element, text=data.text, level=data.level,
                      location=data.location.strip(), evidence=list(data.evidence),
                      state="open", version=1)
    ctx.session.add(finding)
    await ctx.session.flush()
    audit(ctx.session, "finding.recorded", ctx.user, enterprise_id=application.enterprise_id,
          application_id=application.id, after={"finding": finding_facts(finding)})
    return finding


async def withdraw_finding(ctx: Context, application: Application, finding: Finding) -> Finding:
    """Its author takes an open finding back while the review is under way (``ctx.body.version``)."""
    if application.state != State.under_review or finding.state != "open":
        raise Conflict("只能撤回评审中尚未转为隐患的问题 / only an open finding of a review under way "
                       "can be withdrawn")
    before = finding_facts(finding)
    await _versioned_update(ctx.session, Finding, finding, ctx.body.version,
                            {"state": "withdrawn", "version": ctx.body.version + 1},
                            lambda: finding_facts(finding))
    audit(ctx.session, "finding.withdrawn", ctx.user, enterprise_id=application.enterprise_id,
          application_id=application.id, before={"finding": before},
          after={"finding": finding_facts(finding)})
    return finding


async def raise_findings(ctx: Context, application: Application) -> None:
    """Every open finding becomes a review hazard of the application, with the rectification
    deadline, so that the enterprise rectifies it and a reviewer verifies it (the closed loop)."""
    findings = list(await ctx.session.scalars(select(Finding).where(
        Finding.application_id == application.id, Finding.state == "open").order_by(Finding.id)))
    if not findings:
        return
    deadline = _deadline(ctx, application, "rectification_working_days")
    hazards = [Hazard(enterprise_id=application.enterprise_id, application_id=application.id,
                      item_id=f.item_id, source="review", level=f.level, deadline=deadline,
                      description=f.text + (f"（位置 / location: {f.location}）" if f.location else ""))
               for f in findings]
    ctx.session.add_all(hazards)
    await ctx.session.flush()
    for finding, hazard in zip(findings, hazards, strict=True):
        await _versioned_update(ctx.session, Finding, finding, finding.version,
                                {"state": "raised", "hazard_id": hazard.id,
                                 "version": finding.version + 1},
                                lambda f=finding: finding_facts(f))
        audit(ctx.session, "finding.raised", ctx.user, enterprise_id=application.enterprise_id,
              application_id=application.id, after={"finding": finding_facts(finding)})


async def _major_open(session: AsyncSession, application: Application) -> list[str]:
    """Why a review cannot pass: open major findings and major hazards of the application not
    closed (重大事故隐患 must be rectified first)."""
    findings = await session.scalars(select(Finding.text).where(
        Finding.application_id == application.id, Finding.state == "open",
        Finding.level == "major").order_by(Finding.id))
    hazards = await session.scalars(select(Hazard.description).where(
        Hazard.application_id == application.id, Hazard.level == "major",
        Hazard.state != "closed").order_by(Hazard.id))
    return ([f"重大问题未整改 / open major finding: {t}" for t in findings]
            + [f"重大隐患未销号 / major hazard not closed: {t}" for t in hazards])
