"""Saving answers (the autosave's hot path): work proportional to the change.

One read (the assessment, whether an application freezes it, the items a return reopened and
its live self-assessment hazards), then the writes (``anbiao.api.assessments.writes``: on
PostgreSQL one statement, on SQLite the versioned ``UPDATE``, the audit ``INSERT`` and a
statement for each kind of hazard move the batch causes). Only the
changed answers are validated (the stored ones were validated when saved) and only the changed
items' hazards are synced. Statements are SQLAlchemy Core, built once; the access rule is
``anbiao.api.kernel.access.assessment_visible``, shared with every ORM lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    Row,
    Select,
    Table,
    bindparam,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from anbiao.api.assessments.service import LIVE, Scored, assessment_view
from anbiao.api.assessments.writes import HazardMoves, Write, write
from anbiao.api.kernel.access import (
    assessment_visible,
    get_assessment,
    not_found,
    scoped,
    viewer,
)
from anbiao.api.kernel.errors import Conflict, StaleVersion
from anbiao.api.kernel.jsontext import as_text
from anbiao.api.kernel.models import Application, Assessment, Hazard, State, User
from anbiao.core.engine import Engine
from anbiao.core.errors import Message
from anbiao.core.models.answers import changed_answers
from anbiao.core.result import AssessmentResult

_A, _H = cast(Table, Assessment.__table__), cast(Table, Hazard.__table__)  # declarative tables
# A bound parameter each, not an expanding list: an expanding list re-renders the statement's
# SQL at every execution (SQLAlchemy's "post-compile" step).
_LIVE = [literal(state) for state in sorted(LIVE)]


def _read() -> Select[Any]:
    """The assessment as a save needs it: answers, profile, version, whether an application
    freezes it, the items a return reopened and its live self-assessment hazards (all of them:
    a few short rows, where naming the batch's items would send a parameter per item)."""
    return select(
        _A.c.enterprise_id,
        as_text(_A.c.profile).label("profile"),
        as_text(_A.c.answers).label("answers"),
        _A.c.version,
        exists()
        .where(Application.assessment_id == _A.c.id, Application.state.in_(_LIVE))
        .label("frozen"),
        select(Application.reopened_items)
        .where(Application.assessment_id == _A.c.id, Application.state == State.returned.value)
        .limit(1)
        .scalar_subquery()
        .label("reopened"),
        select(func.aggregate_strings(Hazard.item_id + ":" + Hazard.state, ","))
        .where(
            Hazard.enterprise_id == _A.c.enterprise_id,
            Hazard.source == "self",
            Hazard.state != "closed",
        )
        .scalar_subquery()
        .label("hazards"),
    ).where(_A.c.id == bindparam("assessment_id"))


_READ = _read()


@dataclass(frozen=True, slots=True)
class Saved:
    """A save's outcome: the assessment, its new version and answers, the items it changed,
    their score and the hazards moved."""

    id: UUID
    version: int
    answers: dict[str, Any]
    changed: tuple[str, ...]
    scored: Scored
    hazards: HazardMoves


async def read_for_save(connection: AsyncConnection, user: User, assessment_id: UUID) -> Row[Any]:
    """The assessment as saving needs it (404 unless ``user`` may see it)."""
    query = scoped(("save", *viewer(user)), lambda: _READ.where(assessment_visible(user)))
    params = {"assessment_id": assessment_id}
    row: Row[Any] | None = (await connection.execute(query, params)).one_or_none()
    if row is None:
        raise not_found("assessment.not_found")
    return row


async def save_answers(
    connection: AsyncConnection,
    engine: Engine,
    user: User,
    assessment_id: UUID,
    patch: Any,
    row: Row[Any] | None = None,
) -> Saved:
    """Merge a batch of answers (null clears one); validated by the engine; never a lost update.
    ``patch``: an ``AnswersPatch`` (its answers already validated); ``row``: the assessment as
    ``read_for_save`` read it, when the caller needed it to build the batch. Core statements on
    ``connection`` (in the caller's transaction): no ORM session. A stale version is 409 even
    when nothing would change; a batch that changes nothing writes nothing (the version stays,
    no audit event)."""
    if row is None:
        row = await read_for_save(connection, user, assessment_id)
    if row.frozen:
        raise Conflict(Message("assessment.frozen"))
    if row.version != patch.version:
        raise await _stale(connection, engine, user, assessment_id)
    profile, composed = engine.stored_profile(row.profile)
    stored, _ = engine.sheets.read(assessment_id, row.answers)
    changed = changed_answers(stored, patch.answers)
    if row.reopened and (closed := sorted(set(changed) - set(row.reopened))):
        raise Conflict(Message("assessment.not_reopened", {"items": ", ".join(closed)}))
    if not changed:  # nothing to write: the version stays, nothing to audit
        scored = Scored(composed, engine.score_kept(assessment_id, composed, profile), profile)
        return Saved(assessment_id, row.version, stored, (), scored, HazardMoves())
    merged = engine.sheets.merge(assessment_id, stored, changed)
    scored = Scored(composed, engine.score_kept(assessment_id, composed, profile), profile)
    now = datetime.now(UTC)
    moves = _hazard_moves(row, scored.result, tuple(changed))
    new = [_new_hazard(row.enterprise_id, scored, item_id, now) for item_id in moves.opened]
    before = {k: stored.get(k) for k in changed}
    change = Write(
        assessment_id=assessment_id,
        enterprise_id=row.enterprise_id,
        expected=patch.version,
        answers=merged.text,
        now=now,
        actor=user,
        before=before,
        after=changed.stored,
        moves=moves,
        new_hazards=new,
    )
    if not await write(connection, change):  # a concurrent save came between read and write
        raise await _stale(connection, engine, user, assessment_id)
    return Saved(assessment_id, patch.version + 1, merged.stored, tuple(changed), scored, moves)


async def _stale(
    connection: AsyncConnection, engine: Engine, user: User, assessment_id: UUID
) -> StaleVersion:
    """409 with the assessment as it stands (the rare path: an ORM read on the same
    connection)."""
    async with AsyncSession(bind=connection) as session:
        current = await get_assessment(session, user, assessment_id)
        return StaleVersion(assessment_view(engine, current))


def _hazard_moves(row: Row[Any], result: AssessmentResult, changed: tuple[str, ...]) -> HazardMoves:
    """The hazards of the changed items follow their answers: a failing item without a live
    hazard opens one; a failing item whose hazard awaits verification sends it back to
    rectification; a fixed (or cleared) item's open hazard awaits verification. A closed hazard
    is history: an item that fails again after its hazard was closed opens a new one when its
    failing answer is saved. Items the batch does not change keep their hazards as they are."""
    live = dict(pair.rsplit(":", 1) for pair in row.hazards.split(",")) if row.hazards else {}
    failed = result.trace.failed
    return HazardMoves(
        tuple(i for i in changed if i in failed and i not in live),
        tuple(i for i in changed if i in failed and live.get(i) == "submitted"),
        tuple(i for i in changed if i not in failed and live.get(i) in ("open", "rectifying")),
    )


def _new_hazard(enterprise_id: UUID, scored: Scored, item_id: str, now: datetime) -> dict[str, Any]:
    result = scored.result
    level, _ = result.hazard_rules[item_id]
    note = result.trace.failed[item_id].note
    return {
        "enterprise_id": enterprise_id,
        "item_id": item_id,
        "source": "self",
        "level": level.value,
        "state": "open",
        "description": note or scored.composed.items[item_id].item.requirement.zh_CN,
        "created_at": now,
        "updated_at": now,
    }


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
        "id": saved.id,
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
