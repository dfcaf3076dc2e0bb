"""Self-assessments (自评): creation, versioned answer saves, live scoring and the
self-assessment's hazards. The core engine decides every score; nothing here scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.kernel.audit import audit
from anbiao.api.kernel.db import versioned_update
from anbiao.api.kernel.errors import Conflict
from anbiao.api.kernel.models import (
    TERMINAL,
    Application,
    Assessment,
    Enterprise,
    Hazard,
    State,
    User,
)
from anbiao.core.compose import ComposedChecklist
from anbiao.core.engine import Engine
from anbiao.core.models.answers import AnswerSheet
from anbiao.core.models.profile import Profile
from anbiao.core.report import result_to_dict
from anbiao.core.result import AssessmentResult


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
        enterprise_id=enterprise.id,
        profile=enterprise.profile,
        fingerprint=composed.fingerprint,
        packs=[{"id": p.id, "version": p.version, "kind": p.kind} for p in composed.packs],
        answers={},
    )
    session.add(assessment)
    await session.flush()
    audit(
        session,
        "assessment.created",
        user,
        enterprise_id=enterprise.id,
        after={"assessment": str(assessment.id), "fingerprint": composed.fingerprint},
    )
    return assessment


def assessment_view(
    engine: Engine, assessment: Assessment, scored: Scored | None = None
) -> dict[str, Any]:
    """The assessment with its live result (``scored``: its answers' score, when known)."""
    scored = scored or score_answers(engine, assessment.profile, assessment.answers)
    result = result_to_dict(scored.result, scored.composed)
    result["checklist_current"] = scored.composed.fingerprint == assessment.fingerprint
    return {
        "id": assessment.id,
        "enterprise_id": assessment.enterprise_id,
        "fingerprint": assessment.fingerprint,
        "packs": assessment.packs,
        "answers": assessment.answers,
        "version": assessment.version,
        "result": result,
    }


@dataclass(frozen=True, slots=True)
class HazardMoves:
    """Self-assessment hazards a save moved, by item id."""

    opened: tuple[str, ...] = ()
    rectifying: tuple[str, ...] = ()  # failing again: back in rectification
    verification: tuple[str, ...] = ()  # fixed: awaiting verification (submitted)


@dataclass(frozen=True, slots=True)
class Saved:
    """A save's outcome: the new version, the items it changed, their score, hazards moved."""

    version: int
    changed: tuple[str, ...]
    scored: Scored
    hazards: HazardMoves


def save_view(saved: Saved) -> dict[str, Any]:
    """The compact answer to a save (``SaveOut``): version, the saved items, totals, hazards."""
    result = saved.scored.result
    items = []
    for item_id in saved.changed:
        s = result.item(item_id)
        items.append(
            {"id": item_id, "status": s.status, "earned": s.earned, "max_score": s.max_score}
        )
    return {
        "version": saved.version,
        "items": items,
        "totals": totals_view(result),
        "hazards": {
            "opened": list(saved.hazards.opened),
            "rectifying": list(saved.hazards.rectifying),
            "verification": list(saved.hazards.verification),
        },
    }


def totals_view(result: AssessmentResult) -> dict[str, Any]:
    return {
        "earned": result.earned,
        "applicable": result.applicable,
        "percentage": str(result.percentage),
        "answered": result.answered,
        "total_items": result.total_items,
        "complete": result.complete,
        "band": result.band.id if result.band else None,
        "passed": result.passed,
        "eligible": result.eligible,
        "ineligible": [i.code for i in result.ineligible],
    }


async def save_answers(
    session: AsyncSession, engine: Engine, user: User, assessment: Assessment, patch: Any
) -> Saved:
    """Merge a batch of answers (null clears one); validated by the engine; never a lost update.
    Returns the new version, the changed items, the score of the saved answers and the
    hazards moved."""
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
        raise Conflict(
            "退回补正只可修改退回的检查项 / a returned application reopens only its items: "
            + ", ".join(closed)
        )
    scored = score_answers(engine, assessment.profile, merged)  # raises on bad answers
    before = {k: assessment.answers.get(k) for k in changed}
    await versioned_update(
        session,
        Assessment,
        assessment,
        patch.version,
        {"answers": merged, "version": patch.version + 1},
        lambda: assessment_view(engine, assessment),
    )
    moves = HazardMoves()
    if changed:
        audit(
            session,
            "assessment.answers_saved",
            user,
            enterprise_id=assessment.enterprise_id,
            before=before,
            after=changed,
        )
        moves = await sync_self_hazards(session, assessment.enterprise_id, scored)
    return Saved(assessment.version, tuple(changed), scored, moves)


async def sync_self_hazards(
    session: AsyncSession, enterprise_id: UUID, scored: Scored
) -> HazardMoves:
    """Every failed item of the self-assessment has an open hazard; a fixed one awaits
    verification (submitted) before it is closed by a reviewer or the authority.

    Set-based: one read of (id, item, state) and at most one statement per change, however
    many items a batch flips (the ORM would load, track and update each hazard)."""
    rows = await session.execute(
        select(Hazard.id, Hazard.item_id, Hazard.state).where(
            Hazard.enterprise_id == enterprise_id, Hazard.source == "self", Hazard.state != "closed"
        )
    )
    open_by_item = {item_id: (hazard_id, state) for hazard_id, item_id, state in rows}
    failing = {f.item_id: f for f in scored.result.hazards}
    opened = [i for i in failing if i not in open_by_item]
    session.add_all(
        Hazard(
            enterprise_id=enterprise_id,
            item_id=item_id,
            source="self",
            level=failing[item_id].level.value,
            description=failing[item_id].note
            or scored.composed.items[item_id].item.requirement.zh_CN,
        )
        for item_id in opened
    )
    failing_again = {
        i: h for i, (h, state) in open_by_item.items() if i in failing and state == "submitted"
    }  # back in rectification
    fixed = {
        i: h
        for i, (h, state) in open_by_item.items()
        if i not in failing and state in ("open", "rectifying")
    }
    for ids, state in ((failing_again, "rectifying"), (fixed, "submitted")):
        if ids:
            await session.execute(
                update(Hazard)
                .where(Hazard.id.in_(ids.values()))
                .values(state=state, updated_at=datetime.now(UTC))
                .execution_options(synchronize_session=False)
            )  # none loaded in this session
    return HazardMoves(tuple(opened), tuple(failing_again), tuple(fixed))


_LIVE = frozenset(
    s.value for s in State if s not in TERMINAL and s not in (State.draft, State.returned)
)


async def _applications_on(
    session: AsyncSession, assessment: Assessment
) -> list[tuple[str, list[str]]]:
    """(state, reopened items) of every application made on this assessment: one query."""
    rows = await session.execute(
        select(Application.state, Application.reopened_items).where(
            Application.assessment_id == assessment.id
        )
    )
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


async def open_major_hazards(session: AsyncSession, enterprise_id: UUID) -> int:
    query = (
        select(func.count())
        .select_from(Hazard)
        .where(
            Hazard.enterprise_id == enterprise_id, Hazard.level == "major", Hazard.state != "closed"
        )
    )
    return int(await session.scalar(query) or 0)
