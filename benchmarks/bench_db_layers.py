"""What one database round trip costs in each layer of the stack, on PostgreSQL.

Run: ``.venv/bin/python benchmarks/bench_db_layers.py [--rounds 2000] [--write]``.

The same primary-key read of one account, sequentially, from one process:

1. raw asyncpg ``fetchrow`` on one connection (the baseline);
2. SQLAlchemy Core: a pooled connection and the same ``select`` (what a repository without the
   ORM would pay), then the same in autocommit;
3. one statement of a request: a prebuilt Core ``select`` on a connection already held in
   autocommit, and the SQL SQLAlchemy compiled for it run as an asyncpg prepared statement on
   that same connection (what SQLAlchemy's execution adds to each statement);
4. the ORM as a request uses it: a session from the pool, ``session.get(User, id)``, commit;
5. the same in autocommit (no BEGIN/COMMIT round trips);
6. the ORM with two queries (the token's user, then the requested row), as every authenticated
   read of the service does.

CPU per operation (``time.process_time``) is the figure that bounds throughput on a busy core;
wall time includes the server's share. Ratios are to the baseline of the same run. A database of
its own (``anbiao_layers``) is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import asyncpg
from doc_section import write_section
from servers import recreate_pg
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from anbiao.api.kernel.db import db_config
from anbiao.api.kernel.models import Assessment, User
from anbiao.api.kernel.settings import Settings

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


async def seed(url: str) -> None:
    config = db_config(Settings(database_url=url, secret_key="x" * 32))
    engine: AsyncEngine = config.get_engine()
    async with engine.begin() as conn:
        await conn.run_sync(User.metadata.create_all)
    async with config.get_session() as session:
        session.add(User(email="layer@bench.cn", name="基准", role="enterprise", password_hash="-"))
        await session.commit()
    await engine.dispose()


async def measure(rounds: int, url: str) -> list[tuple[str, float, float]]:
    config = db_config(Settings(database_url=url, secret_key="x" * 32))
    engine = config.get_engine()
    async with config.get_session() as session:
        user_id = await session.scalar(select(User.id))
    raw = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    table = User.__table__
    by_key = select(table).where(table.c.id == bindparam("id"))  # prebuilt, as the hot paths
    held = await engine.connect()  # a request's connection, in autocommit
    await held.execution_options(isolation_level="AUTOCOMMIT")
    driver = (await held.get_raw_connection()).driver_connection
    assert driver is not None
    prepared = await driver.prepare(str(by_key.compile(dialect=engine.dialect)))

    async def baseline() -> None:
        await raw.fetchrow("SELECT * FROM user_account WHERE id = $1", user_id)

    async def core() -> None:
        async with engine.connect() as conn:
            (await conn.execute(select(table).where(table.c.id == user_id))).one()

    async def core_autocommit() -> None:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            (await conn.execute(by_key, {"id": user_id})).one()

    async def core_held() -> None:
        (await held.execute(by_key, {"id": user_id})).one()

    async def driver_held() -> None:
        await prepared.fetchrow(user_id)

    async def orm() -> None:
        async with config.get_session() as session:
            await session.get(User, user_id)
            await session.commit()

    async def orm_autocommit() -> None:
        async with config.get_session() as session:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            await session.get(User, user_id)
            await session.commit()

    async def orm_two() -> None:
        async with config.get_session() as session:
            await session.get(User, user_id)
            await session.scalar(select(Assessment.id).where(Assessment.enterprise_id == user_id))
            await session.commit()

    cases: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("raw asyncpg `fetchrow` (baseline)", baseline),
        ("SQLAlchemy Core: pooled connection + `select`", core),
        ("the same in autocommit (no BEGIN/ROLLBACK round trips)", core_autocommit),
        ("SQLAlchemy Core: a prebuilt `select` on a held connection in autocommit", core_held),
        ("asyncpg: the SQL SQLAlchemy compiled for it, prepared on that connection", driver_held),
        ("ORM session: `get` + commit", orm),
        ("ORM session in autocommit: `get` + commit", orm_autocommit),
        ("ORM session: two queries + commit (an authenticated read)", orm_two),
    ]
    results = []
    for name, case in cases:
        for _ in range(rounds // 10):  # warm-up: pool, statement caches
            await case()
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(rounds):
            await case()
        results.append(
            (
                name,
                (time.perf_counter() - wall) / rounds * 1e3,
                (time.process_time() - cpu) / rounds * 1e3,
            )
        )
    await raw.close()
    await held.close()
    await engine.dispose()
    return results


def table(results: list[tuple[str, float, float]], rounds: int) -> str:
    base = results[0][2]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} with `python benchmarks/bench_db_layers.py "
        f"--rounds {rounds}` (PostgreSQL on the same 2 cores, sequential).",
        "",
        "| layer | wall per op | CPU per op | CPU ratio to raw asyncpg |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {wall:.3f} ms | {cpu:.3f} ms | {cpu / base:.1f}× |"
        for name, wall, cpu in results
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--postgres-url", default=PG_URL)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    url = asyncio.run(recreate_pg(args.postgres_url, "anbiao_layers"))
    try:
        asyncio.run(seed(url))
        text = table(asyncio.run(measure(args.rounds, url)), args.rounds)
    finally:
        asyncio.run(recreate_pg(args.postgres_url, "anbiao_layers", drop_only=True))
    print(text)
    if args.write:
        write_section("db-layers", text)


if __name__ == "__main__":
    main()
