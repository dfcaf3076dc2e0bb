"""Self-assessments (自评): creation, versioned answer saves, live scoring and the
self-assessment's hazards. The core engine decides every score; nothing here scores."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7  # the models' ids (advanced-alchemy[uuid])

from anbiao.api.kernel import audit
from anbiao.api.kernel.db import insert_audited
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


def score_answers(
    engine: Engine,
    profile_data: dict[str, Any],
    answers: dict[str, Any],
    key: Hashable | None = None,
) -> Scored:
    """Score stored answers. ``key`` names where they are stored (an assessment's id, or a
    tuple naming an application or a review): their validated sheet and its score are then
    kept in ``engine.sheets`` and reused while the stored answers stay the same."""
    profile, composed = engine.profile_of(profile_data)
    if key is None:
        sheet = AnswerSheet.model_validate({"answers": answers})
        return Scored(composed, engine.score(composed, sheet, profile), profile)
    engine.sheets.validated(key, answers)
    return Scored(composed, engine.score_kept(key, composed, profile), profile)


async def create_assessment(
    session: AsyncSession, engine: Engine, user: User, enterprise: Enterprise
) -> Assessment:
    profile = Profile.model_validate(enterprise.profile)
    composed = engine.compose(profile)
    values = {
        "id": uuid7(),
        "enterprise_id": enterprise.id,
        "profile": enterprise.profile,
        "fingerprint": composed.fingerprint,
        "packs": [{"id": p.id, "version": p.version, "kind": p.kind} for p in composed.packs],
        "answers": {},
    }
    event = audit.event(
        "assessment.created",
        user,
        enterprise_id=enterprise.id,
        after={"assessment": str(values["id"]), "fingerprint": composed.fingerprint},
    )
    return await insert_audited(session, Assessment, values, event)  # one statement on PostgreSQL


def assessment_view(
    engine: Engine, assessment: Assessment, scored: Scored | None = None
) -> dict[str, Any]:
    """The assessment with its live result (``scored``: its answers' score, when known)."""
    scored = scored or score_answers(engine, assessment.profile, assessment.answers, assessment.id)
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


LIVE = frozenset(  # application states that freeze the assessment
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
    return any(state in LIVE for state, _ in applications)


def _reopened(applications: list[tuple[str, list[str]]]) -> set[str] | None:
    items = next((i for state, i in applications if state == State.returned.value), None)
    return set(items) if items else None


async def reopened_items(session: AsyncSession, assessment: Assessment) -> set[str] | None:
    """Items a return reopened, when the assessment's application is returned with a list."""
    return _reopened(await _applications_on(session, assessment))


async def is_frozen(session: AsyncSession, assessment: Assessment) -> bool:
    """An assessment under a live application (submitted and not returned or ended) is frozen."""
    return _frozen(await _applications_on(session, assessment))


def count_open_major(enterprise_id: Any) -> Select[int]:
    """How many major hazards (重大事故隐患) of the enterprise ``enterprise_id`` (a bound
    parameter or a column) are not closed."""
    return (
        select(func.count())
        .select_from(Hazard)
        .where(
            Hazard.enterprise_id == enterprise_id,
            Hazard.level == "major",
            Hazard.state != "closed",
        )
    )


_OPEN_MAJOR = count_open_major(bindparam("enterprise"))


async def open_major_hazards(session: AsyncSession, enterprise_id: UUID) -> int:
    return int(await session.scalar(_OPEN_MAJOR, {"enterprise": enterprise_id}) or 0)
