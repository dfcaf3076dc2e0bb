"""The database session of a request, the engine configuration and versioned updates."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast
from uuid import uuid4

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    AsyncSessionConfig,
    EngineConfig,
    SQLAlchemyAsyncConfig,
)
from litestar import Request
from sqlalchemy import (
    ColumnDefault,
    Select,
    Table,
    Update,
    bindparam,
    func,
    insert,
    make_url,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from anbiao.api.kernel import audit, sqlite
from anbiao.api.kernel.errors import StaleVersion
from anbiao.api.kernel.models import Application, Assessment, Enterprise, Finding, Hazard
from anbiao.api.kernel.pool import FairPool
from anbiao.api.kernel.settings import Settings
from anbiao.api.kernel.sqlite import READ_ONLY

MIGRATIONS = Path(__file__).parent.parent / "migrations"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Versioned = TypeVar(
    "Versioned", Enterprise, Assessment, Application, Finding, Hazard
)  # have .version


def _autocommit(state: Any, dialect: str) -> bool:
    """PostgreSQL, unless behind a transaction pooler (statements outside a transaction may
    reach another server connection than the one that prepared them)."""
    return dialect == "postgresql" and not state.settings.database_transaction_pooler


def _reads_in_autocommit(state: Any, method: str, dialect: str) -> bool:
    """A safe request on PostgreSQL reads in autocommit: no BEGIN and COMMIT round trips. Under
    PostgreSQL's READ COMMITTED every statement sees the latest commit either way, so its reads
    see exactly what they would in a transaction."""
    return method in SAFE_METHODS and _autocommit(state, dialect)


ONE_WRITE = "one_write"
"""A route's ``opt`` key: a predicate of the request's path parameters, true when the request
writes one statement at most (besides its reads). On PostgreSQL its session is in autocommit
too: that statement is atomic by itself, and the reads see what they would in a transaction."""


def _session_in_autocommit(state: Any, scope: Any, dialect: str) -> bool:
    if _reads_in_autocommit(state, scope["method"], dialect):
        return True
    one_write = scope["route_handler"].opt.get(ONE_WRITE)
    return one_write is not None and _autocommit(state, dialect) and one_write(scope["path_params"])


async def request_session(state: Any, scope: Any) -> AsyncSession:
    """The request's one session (advanced-alchemy keeps it in the scope)."""
    session: AsyncSession = state.db_config.provide_session(state, scope)
    if (
        not session.in_transaction()
        and session.bind is not None
        and _session_in_autocommit(state, scope, session.bind.dialect.name)
    ):
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session


@asynccontextmanager
async def lookup_session(state: Any) -> AsyncIterator[AsyncSession]:
    """A session of its own for a lookup outside the request's session (the token's account),
    which only reads, whatever the request's method: in autocommit on PostgreSQL (where
    statements may run outside a transaction) and without a transaction on SQLite, so that a
    write request's lookup takes no write lock — a single read needs no BEGIN and ROLLBACK
    round trips around it."""
    engine: AsyncEngine = state.db_config.get_engine()
    reading = READ_ONLY.set(True)
    try:
        async with AsyncSession(engine) as session:
            if _autocommit(state, engine.dialect.name):
                await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session
    finally:
        READ_ONLY.reset(reading)


@asynccontextmanager
async def read_connection(request: Request[Any, Any, Any]) -> AsyncIterator[AsyncConnection]:
    """A pooled Core connection for a handler that only reads (no ORM session to set up, flush
    and commit): the hot reads take it instead of ``db_session``."""
    engine: AsyncEngine = request.app.state.db_config.get_engine()
    async with engine.connect() as connection:
        if _reads_in_autocommit(request.app.state, request.method, engine.dialect.name):
            await connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


async def provide_write_connection(
    request: Request[Any, Any, Any],
) -> AsyncGenerator[AsyncConnection, None]:
    """A pooled Core connection for a hot handler that writes with Core (no ORM session to set
    up, flush and commit) — the answers' save, whose writes are one statement on PostgreSQL
    (``anbiao.api.assessments.writes``): there the connection is in autocommit, each statement
    its own transaction, with no BEGIN and COMMIT round trips. Elsewhere (SQLite, a transaction
    pooler) one transaction, committed once the handler has succeeded and its response is
    built, before it is sent (a refused COMMIT becomes an error response), rolled back when the
    handler raised; on SQLite it begins ``IMMEDIATE`` in the writers' queue, as every writing
    session does."""
    engine: AsyncEngine = request.app.state.db_config.get_engine()
    if _autocommit(request.app.state, engine.dialect.name):
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection
        return
    async with engine.begin() as connection:
        yield connection


def db_config(settings: Settings, *, create_all: bool = False) -> SQLAlchemyAsyncConfig:
    served_sqlite = settings.database_url.startswith("sqlite")
    return SQLAlchemyAsyncConfig(
        connection_string=settings.database_url,
        before_send_handler=None,  # close only: provide_db_session commits before sending
        session_dependency_key="request_session",  # handlers take db_session (provide_db_session)
        session_config=AsyncSessionConfig(expire_on_commit=False),
        engine_config=engine_config(settings),
        create_all=create_all,
        create_engine_callable=sqlite.create_engine if served_sqlite else create_async_engine,
        alembic_config=AlembicAsyncConfig(
            script_location=str(MIGRATIONS), version_table_name="alembic_versions"
        ),
    )


def engine_config(settings: Settings) -> EngineConfig:
    """A fixed pool: requests past it wait for a connection, in arrival order (``FairPool``),
    instead of opening one that is closed again when returned (PostgreSQL: a TCP and TLS
    handshake per request). In-memory SQLite keeps its single connection."""
    if make_url(settings.database_url).database in (None, "", ":memory:"):
        return EngineConfig()
    return EngineConfig(
        poolclass=FairPool,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        connect_args=connect_args(settings),
    )


def connect_args(settings: Settings) -> dict[str, Any]:
    """asyncpg behind a pooler that may hand each transaction another server connection
    (PgBouncer < 1.21, transaction mode): no statement kept across transactions, and each
    statement a name of its own, so that no server connection ever holds a clashing one."""
    if not settings.database_transaction_pooler:
        return {}
    return {
        "statement_cache_size": 0,  # asyncpg's own cache
        "prepared_statement_cache_size": 0,  # SQLAlchemy's, in its asyncpg adapter
        "prepared_statement_name_func": lambda: f"__anbiao_{uuid4().hex}__",
    }


async def mark_reads(request: Request[Any, Any, Any]) -> None:
    """Safe requests only read: their SQLite transactions take no write lock (async: the
    context variable must be set in the request's own task, not in a worker thread)."""
    READ_ONLY.set(request.method in SAFE_METHODS)


_STATUS: ContextVar[int] = ContextVar("anbiao_response_status", default=0)


async def note_status(response: Any) -> Any:
    """After the handler: the status its response will have (read by ``provide_db_session``);
    a response without one takes its route's, a success (failures are raised, not returned)."""
    _STATUS.set(getattr(response, "status_code", None) or 200)
    return response


async def provide_db_session(
    request: Request[Any, Any, Any],
) -> AsyncGenerator[AsyncSession, None]:
    """The request's session. Once the handler has succeeded, a 2xx response's writes are
    committed before it is sent, other responses' writes flushed (and then rolled back): a write
    or COMMIT the database refuses (a unique number taken by a concurrent request, a broken
    reference, a lost connection) becomes an error response, never a success whose changes are
    gone (advanced-alchemy's autocommit handler commits as the response starts, logs a failed
    COMMIT at debug level and sends the 2xx). Its default handler closes the session after."""
    session = await request_session(request.app.state, request.scope)
    yield session
    if 200 <= _STATUS.get() < 300:
        await session.commit()
    else:
        await session.flush()


async def serialize(session: AsyncSession, key: int) -> None:
    """Until this transaction ends, other transactions that serialize on ``key`` wait — on any
    worker of any host (a PostgreSQL advisory lock). SQLite's writers take turns already."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(key)))


@cache
def _versioned(model: type[Versioned], keys: tuple[str, ...]) -> Update:
    """The versioned UPDATE of ``keys``, built once per model and set of keys (bound values)."""
    columns = model.__table__.c
    return (
        update(model)
        .where(model.id == bindparam("v__id"), model.version == bindparam("v__version"))
        .values(
            {key: bindparam(f"v_{key}", type_=columns[key].type) for key in keys}
            | {"updated_at": bindparam("v__now", type_=columns["updated_at"].type)}
        )
        .returning(model.updated_at)
        .execution_options(synchronize_session=False)
    )


@cache
def _audited(statement: Update) -> Select[Any]:
    """PostgreSQL: ``statement`` (an UPDATE … RETURNING) and its audit event in one statement,
    a data-modifying CTE that reads the UPDATE's row: what writes nothing records nothing."""
    written = statement.cte("written")
    first = next(iter(written.c))
    return select(first).add_cte(audit.inserted_with(written).cte("audited"))


async def write_audited(
    session: AsyncSession, statement: Update, params: dict[str, Any], event: dict[str, Any] | None
) -> Any:
    """Run ``statement`` (an UPDATE … RETURNING, built once) and write ``event`` (``audit.event``)
    if it wrote — on PostgreSQL in the same statement, so that a session in autocommit writes
    both or neither. Returns the first value it returned (None: nothing written)."""
    if event is not None and session.bind is not None and session.bind.dialect.name == "postgresql":
        return await session.scalar(_audited(statement), params | audit.params(event, now()))
    written = await session.scalar(statement, params)
    if written is not None and event is not None:
        await session.execute(audit.INSERT, event)
    return written


def now() -> datetime:
    return datetime.now(UTC)


Row = TypeVar("Row", bound=UUIDv7AuditBase)


def _filled(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every other column's Python-side default (an id, timestamps, a version;
    None where a nullable column has none)."""
    row = dict(values)
    for column in table.columns:
        default = column.default
        if column.key in row or (default is not None and default.is_sentinel):
            continue  # given, or the ORM's insert sentinel (no value)
        if isinstance(default, ColumnDefault):
            row[column.key] = default.arg(None) if default.is_callable else default.arg
        elif column.nullable:
            row[column.key] = None
    return row


@cache
def _inserted(table: Table, keys: tuple[str, ...]) -> Select[Any]:
    """PostgreSQL: the INSERT of ``keys`` and its audit event in one statement."""
    written = (
        insert(table)
        .values({key: bindparam(f"r_{key}", type_=table.c[key].type) for key in keys})
        .returning(table.c.id)
        .cte("written")
    )
    return select(written.c.id).add_cte(audit.inserted_with(written).cte("audited"))


async def insert_audited(
    session: AsyncSession, model: type[Row], values: dict[str, Any], event: dict[str, Any]
) -> Row:
    """INSERT a row of ``model`` (``values``, each other column its default) and its audit
    event (``audit.event``) — on PostgreSQL one statement, so that a session in autocommit
    writes both or neither. Returns the row as written, in the session as if read."""
    table = cast(Table, model.__table__)
    row = _filled(table, values)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        params = {f"r_{key}": value for key, value in row.items()}
        statement = _inserted(table, tuple(row))
        await session.execute(statement, params | audit.params(event, row["created_at"]))
    else:
        await session.execute(insert(table), row)
        await session.execute(audit.INSERT, event)
    written = model(**row)
    make_transient_to_detached(written)  # the row exists: the session adds no INSERT of it
    session.add(written)
    return written


async def versioned_update(
    session: AsyncSession,
    model: type[Versioned],
    row: Versioned,
    version: int,
    values: dict[str, Any],
    current: Callable[[], dict[str, Any]],
    event: dict[str, Any] | None = None,
) -> None:
    """UPDATE … WHERE id = … AND version = …; a lost race raises StaleVersion(current state).
    On success ``row`` takes the written values as they now stand in the database (no reload).
    ``event``: the change's audit event, written with it (``write_audited``)."""
    params = {f"v_{key}": value for key, value in values.items()}
    params |= {"v__id": row.id, "v__version": version, "v__now": now()}
    updated_at = await write_audited(session, _versioned(model, tuple(values)), params, event)
    if updated_at is None:
        await session.refresh(row)
        raise StaleVersion(current())
    for key, value in {**values, "updated_at": updated_at}.items():
        set_committed_value(row, key, value)
