"""A save's writes: the versioned ``UPDATE`` of the answers, the audit ``INSERT`` and the hazard
moves of the changed items.

On PostgreSQL they are one statement (data-modifying CTEs), atomic by itself: the save's
connection needs no transaction of its own, so no ``BEGIN`` and ``COMMIT`` round trips. Every
part but the ``UPDATE`` reads the ``UPDATE``'s row: a stale version updates nothing, and then
nothing else is written either. SQLite has no data-modifying CTEs: there they are a statement
each, in the caller's transaction. Statements are SQLAlchemy Core, built once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast
from uuid import UUID

from pydantic_core import to_json
from sqlalchemy import (
    CTE,
    JSON,
    Select,
    String,
    Table,
    Text,
    Update,
    Uuid,
    any_,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection
from uuid_utils.compat import uuid7  # the models' ids (advanced-alchemy[uuid])

from anbiao.api.kernel import audit
from anbiao.api.kernel.jsontext import EncodedJSON
from anbiao.api.kernel.models import Assessment, Hazard, User

_A, _H = (cast(Table, model.__table__) for model in (Assessment, Hazard))
SAVED = "assessment.answers_saved"  # the audit event's action
RECTIFYING, VERIFICATION = (["submitted"], "rectifying"), (["open", "rectifying"], "submitted")


@dataclass(frozen=True, slots=True)
class HazardMoves:
    """Self-assessment hazards a save moved, by item id."""

    opened: tuple[str, ...] = ()
    rectifying: tuple[str, ...] = ()  # failing again: back in rectification
    verification: tuple[str, ...] = ()  # fixed: awaiting verification (submitted)


@dataclass(frozen=True, slots=True)
class Write:
    """What a save writes: the answers (JSON text) under the next version, the change audited
    (before → after), the hazards moved and the new ones (rows of ``hazard``, without ids)."""

    assessment_id: UUID
    enterprise_id: UUID
    expected: int  # the version the save was based on
    answers: str
    now: datetime
    actor: User
    before: dict[str, Any]
    after: dict[str, Any]
    moves: HazardMoves
    new_hazards: list[dict[str, Any]]


async def write(connection: AsyncConnection, w: Write) -> bool:
    """Write the save; False when the version was stale (nothing written)."""
    if connection.dialect.name == "postgresql":
        return await _at_once(connection, w)
    return await _in_steps(connection, w)


# --- PostgreSQL: one statement -------------------------------------------------------------------


def _at(name: str, column: str) -> Any:
    """A bound parameter typed as ``column`` of ``hazard``."""
    return bindparam(name, type_=_H.c[column].type)


_UPDATE = (  # the versioned UPDATE of the answers
    update(_A)
    .where(_A.c.id == bindparam("assessment_id"), _A.c.version == bindparam("expected"))
    .values(
        answers=bindparam("new_answers", type_=EncodedJSON()),
        version=bindparam("new_version"),
        updated_at=_at("now", "updated_at"),
    )
)


@cache
def _statement(opened: bool, rectifying: bool, verification: bool) -> Select[tuple[UUID]]:
    """The save for one shape of hazard moves (eight shapes, each built once)."""
    saved = _UPDATE.returning(_A.c.id, _A.c.enterprise_id).cte("saved")
    parts: list[CTE] = [audit.inserted_with(saved).cte("audited")]
    for wanted, (before, after), name in (
        (rectifying, RECTIFYING, "rectifying"),
        (verification, VERIFICATION, "verification"),
    ):
        if wanted:
            parts.append(_move(saved, name, before, after))
    if opened:
        parts.append(_open(saved))
    return select(saved.c.id).add_cte(*parts)


def _move(saved: CTE, name: str, before: list[str], after: str) -> CTE:
    """The batch's items' hazards in a ``before`` state move to ``after``."""
    return (
        update(_H)
        .where(
            _H.c.enterprise_id == saved.c.enterprise_id,
            _H.c.source == "self",
            _H.c.item_id == any_(bindparam(name, type_=ARRAY(String))),
            _H.c.state.in_([literal(state) for state in before]),
        )
        .values(state=literal(after), version=_H.c.version + 1, updated_at=_at("now", "updated_at"))
        .cte(name)
    )


def _open(saved: CTE) -> CTE:
    """The new hazards, one array parameter a column."""
    rows = (
        func.unnest(
            bindparam("o_id", type_=ARRAY(Uuid)),
            bindparam("o_item_id", type_=ARRAY(String)),
            bindparam("o_level", type_=ARRAY(String)),
            bindparam("o_description", type_=ARRAY(Text)),
        )
        .table_valued("id", "item_id", "level", "description")
        .render_derived()
    )
    fixed = {
        "source": literal("self"),
        "state": literal("open"),
        "owner": literal(""),
        "measures": literal(""),
        "evidence": literal([], JSON),
        "resources": literal(""),
        "version": literal(1),
        "created_at": _at("now", "created_at"),
        "updated_at": _at("now", "updated_at"),
    }
    columns = ["id", "enterprise_id", "item_id", "level", "description", *fixed]
    source = select(
        rows.c.id, saved.c.enterprise_id, rows.c.item_id, rows.c.level, rows.c.description
    ).add_columns(*fixed.values())
    joined = source.select_from(saved).join_from(saved, rows, literal_column("true"))
    return insert(_H).from_select(columns, joined).cte("opened")


async def _at_once(connection: AsyncConnection, w: Write) -> bool:
    moves = w.moves
    statement = _statement(bool(moves.opened), bool(moves.rectifying), bool(moves.verification))
    params: dict[str, Any] = {
        "assessment_id": w.assessment_id,
        "expected": w.expected,
        "new_answers": w.answers,
        "new_version": w.expected + 1,
        "now": w.now,
        "rectifying": list(moves.rectifying),
        "verification": list(moves.verification),
    }
    for column in ("item_id", "level", "description"):
        params[f"o_{column}"] = [row[column] for row in w.new_hazards]
    params["o_id"] = [uuid7() for _ in w.new_hazards]
    event = audit.event(
        SAVED, w.actor, enterprise_id=w.enterprise_id, before=w.before, after=w.after
    )
    params |= audit.params(event, w.now)
    return await connection.scalar(statement, params) is not None


# --- SQLite: a statement each --------------------------------------------------------------------

_WRITE = _UPDATE.returning(_A.c.id)
_OPEN = insert(_H)


def _moved(before: list[str], after: str) -> Update:
    """The batch's items' hazards (a JSON array: one parameter, where an expanding list is
    rendered into the SQL again at every execution) in a ``before`` state move to ``after``."""
    items = func.json_each(bindparam("items", type_=Text)).table_valued("value")
    return (
        update(_H)
        .where(
            _H.c.enterprise_id == bindparam("enterprise"),
            _H.c.source == "self",
            _H.c.item_id.in_(select(items.c.value)),
            _H.c.state.in_([literal(state) for state in before]),
        )
        .values(state=literal(after), version=_H.c.version + 1, updated_at=_at("now", "updated_at"))
    )


_RECTIFY, _VERIFY = _moved(*RECTIFYING), _moved(*VERIFICATION)


async def _in_steps(connection: AsyncConnection, w: Write) -> bool:
    params = {
        "assessment_id": w.assessment_id,
        "expected": w.expected,
        "new_answers": w.answers,
        "new_version": w.expected + 1,
        "now": w.now,
    }
    if await connection.scalar(_WRITE, params) is None:
        return False
    await audit.record(
        connection, SAVED, w.actor, enterprise_id=w.enterprise_id, before=w.before, after=w.after
    )
    if w.new_hazards:
        await connection.execute(_OPEN, w.new_hazards)
    for move, items in ((_RECTIFY, w.moves.rectifying), (_VERIFY, w.moves.verification)):
        if items:
            moved = {"enterprise": w.enterprise_id, "items": to_json(items).decode(), "now": w.now}
            await connection.execute(move, moved)
    return True
