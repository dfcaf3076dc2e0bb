"""How to store a self-assessment's answers (issue 11): three ways, measured in one run.

Run: ``.venv/bin/python benchmarks/bench_storage.py [--database sqlite|postgres|both]
[--rounds 400]``.

A 200-item assessment (the first 200 answers of the benchmark enterprise's realistic mix,
``workflow.answer_sets``), saved by a single-answer autosave and by a 50-answer save (each
answer given a new note, so every save changes it), each save one transaction on one
SQLAlchemy Core connection, as the service's save path, with the versioned bump it needs:

1. **whole JSON** (today): ``UPDATE … SET answers = :all_answers, version = … WHERE id = …
   AND version = …`` — the client merges (it holds the stored answers from its read) and sends
   every answer;
2. **JSON patch merged by the database**, one ``UPDATE``: ``json_patch(answers, :patch)`` on
   SQLite (RFC 7396: a null clears); on PostgreSQL ``(answers::jsonb || :patch::jsonb)::json``
   on the ``json`` column as it is, and ``answers || :patch`` on a ``jsonb`` column (``||``
   keeps a null: clearing needs ``- :cleared`` as well);
3. **one row per item**: ``INSERT … ON CONFLICT (assessment, item) DO UPDATE`` of the changed
   items (one statement, executemany) and the versioned ``UPDATE`` of the assessment's row.

Per save: wall time, CPU of this process (SQLAlchemy, the driver; on SQLite the database too),
CPU of the PostgreSQL backend (``/proc/<pid>/schedstat``), statements, bytes sent as
parameters, and bytes the database wrote to its log: SQLite's ``-wal`` file (checkpoints off),
PostgreSQL's ``pg_current_wal_lsn()`` (the whole cluster's: another session's writes count too,
so each figure is the least of several passes). Then the read the save path does before it
writes: all answers of the assessment (one row's column, or ``json_group_object`` /
``jsonb_object_agg`` over the item rows). Ratios are to the whole-JSON way of the same run.
Scratch databases only: a temporary SQLite file, PostgreSQL ``bench_storage_hotpath`` (dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servers import scratch_database
from sqlalchemy import TextClause, event, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from workflow import answer_sets

PG_NAME = "bench_storage_hotpath"
ITEMS = 200
PASSES = 4
Save = Callable[[AsyncConnection, dict[str, Any], int], Awaitable[int]]  # → parameter bytes


@dataclass(frozen=True, slots=True)
class Way:
    name: str
    save: Save
    read: TextClause  # all answers of the assessment


def ways(pg: bool, stored: dict[str, Any]) -> list[Way]:
    """The ways to store for the dialect; ``stored``: the answers the whole-JSON client holds."""
    cast = "CAST(:patch AS jsonb)" if pg else ":patch"
    patched = f"(answers::jsonb || {cast})::json" if pg else "json_patch(answers, :patch)"
    versioned = "version = :v + 1 WHERE id = :id AND version = :v"
    whole_sql = text(f"UPDATE doc SET answers = :answers, {versioned}")
    patch_sql = text(f"UPDATE doc SET answers = {patched}, {versioned}")
    patch_b_sql = text(f"UPDATE docb SET answers = answers || {cast}, {versioned}")
    answer = "CAST(:answer AS jsonb)" if pg else ":answer"
    upsert_sql = text(
        f"INSERT INTO item (doc, item, answer) VALUES (:id, :item, {answer}) "
        "ON CONFLICT (doc, item) DO UPDATE SET answer = excluded.answer"
    )
    bump_sql = text(f"UPDATE head SET {versioned}")

    async def whole(conn: AsyncConnection, patch: dict[str, Any], version: int) -> int:
        stored.update(patch)
        sent = json.dumps(stored)
        await conn.execute(whole_sql, {"id": 1, "v": version, "answers": sent})
        return len(sent.encode())

    def patching(sql: TextClause, row: int) -> Save:
        async def save(conn: AsyncConnection, patch: dict[str, Any], version: int) -> int:
            sent = json.dumps(patch)
            await conn.execute(sql, {"id": row, "v": version, "patch": sent})
            return len(sent.encode())

        return save

    async def rows(conn: AsyncConnection, patch: dict[str, Any], version: int) -> int:
        values = [{"id": 1, "item": k, "answer": json.dumps(v)} for k, v in patch.items()]
        await conn.execute(upsert_sql, values)
        await conn.execute(bump_sql, {"id": 1, "v": version})
        return sum(len(v["item"].encode()) + len(v["answer"].encode()) for v in values)

    read_doc = text("SELECT answers FROM doc WHERE id = :id")
    group = "jsonb_object_agg(item, answer)" if pg else "json_group_object(item, json(answer))"
    found = [
        Way("whole JSON (today)", whole, read_doc),
        Way("JSON patch merged by the database", patching(patch_sql, 2), read_doc),
    ]
    if pg:
        read_b = text("SELECT answers FROM docb WHERE id = :id")
        found.append(Way("JSON patch, `jsonb` column", patching(patch_b_sql, 1), read_b))
    read_rows = text(f"SELECT {group} FROM item WHERE doc = :id")
    found.append(Way("one row per item (upsert)", rows, read_rows))
    return found


def schema(pg: bool) -> list[str]:
    doc = "json" if pg else "TEXT"
    item = "jsonb" if pg else "TEXT"
    tables = [
        f"CREATE TABLE doc (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, answers {doc})",
        "CREATE TABLE head (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)",
        f"CREATE TABLE item (doc INTEGER NOT NULL, item VARCHAR(64) NOT NULL, answer {item} "
        "NOT NULL, PRIMARY KEY (doc, item))",
    ]
    if pg:
        tables.append(
            "CREATE TABLE docb (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, answers jsonb)"
        )
    return tables


async def seed(conn: AsyncConnection, pg: bool, answers: dict[str, Any]) -> None:
    for statement in schema(pg):
        await conn.execute(text(statement))
    full = json.dumps(answers)
    for table, row in (("doc", 1), ("doc", 2)) + ((("docb", 1),) if pg else ()):
        cast = "CAST(:a AS jsonb)" if table == "docb" else ":a"
        await conn.execute(
            text(f"INSERT INTO {table} VALUES (:id, 0, {cast})"), {"id": row, "a": full}
        )
    await conn.execute(text("INSERT INTO head VALUES (1, 0)"))
    answer = "CAST(:answer AS jsonb)" if pg else ":answer"
    await conn.execute(
        text(f"INSERT INTO item VALUES (1, :item, {answer})"),
        [{"item": k, "answer": json.dumps(v)} for k, v in answers.items()],
    )


@dataclass(slots=True)
class Figures:
    wall: float = float("inf")  # ms per save (or read)
    cpu: float = float("inf")  # ms, this process
    backend: float = float("inf")  # ms, the PostgreSQL backend
    log: float = float("inf")  # bytes written to the WAL per save
    sent: float = 0.0  # parameter bytes per save (bytes read, for a read)
    statements: int = 0

    def keep_least(self, other: Figures) -> None:
        for name in ("wall", "cpu", "backend", "log"):
            setattr(self, name, min(getattr(self, name), getattr(other, name)))


class Meter:
    """The clocks and the log position of one database, read around a pass."""

    def __init__(self, conn: AsyncConnection, pg: bool, wal: Path | None) -> None:
        self.conn, self.pg, self.wal = conn, pg, wal
        self.pid = 0

    async def start(self) -> None:
        if self.pg:
            self.pid = (await self.conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await self.conn.commit()

    async def read(
        self, logger: AsyncConnection, first: bool = False
    ) -> tuple[float, float, float, float]:
        """Clocks and log position; SQLite's log is emptied at a pass's ``first`` reading (no
        checkpoint runs during the pass, so the file then grows by what the pass writes)."""
        if not self.pg and first:
            await logger.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        if self.pg:
            lsn = "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')"
            log = float((await logger.execute(text(lsn))).scalar_one())
            backend = int(Path(f"/proc/{self.pid}/schedstat").read_text().split()[0]) / 1e9
        else:
            log, backend = float(os.path.getsize(self.wal or "")), 0.0
        return time.perf_counter(), time.process_time(), backend, log


async def timed(
    meter: Meter, logger: AsyncConnection, count: int, run: Callable[[int], Awaitable[int]]
) -> Figures:
    """One pass of ``count`` runs; figures per run."""
    wall, cpu, backend, log = await meter.read(logger, first=True)
    sent = 0
    for n in range(count):
        sent += await run(n)
    after = await meter.read(logger)
    return Figures(
        (after[0] - wall) / count * 1e3,
        (after[1] - cpu) / count * 1e3,
        (after[2] - backend) / count * 1e3,
        (after[3] - log) / count,
        sent / count,
    )


def _pragmas(dbapi_connection: Any, _: Any) -> None:
    """The service's journal (``anbiao.api.kernel.sqlite``; not its writer queue, which would
    make the log reader wait for the saving connection), without automatic checkpoints."""
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "wal_autocheckpoint=0"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


async def measure(url: str, rounds: int) -> dict[str, list[tuple[str, Figures]]]:
    pg = url.startswith("postgresql")
    engine = create_async_engine(url)
    wal = None
    if not pg:
        event.listen(engine.sync_engine, "connect", _pragmas)
        wal = Path(url.split("///", 1)[1] + "-wal")
    answers = dict(list(answer_sets().full.items())[:ITEMS])
    seen: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    results: dict[str, list[tuple[str, Figures]]] = {}
    async with engine.connect() as conn, engine.connect() as logger:
        await logger.execution_options(isolation_level="AUTOCOMMIT")
        async with conn.begin():
            await seed(conn, pg, answers)
        meter = Meter(conn, pg, wal)
        await meter.start()
        chosen = ways(pg, dict(answers))
        versions = dict.fromkeys((w.name for w in chosen), 0)
        items = list(answers)
        for size in (1, 50):
            label = "single-answer autosave" if size == 1 else "50-answer save"
            results[label] = []
            for way in chosen:

                async def save(_: int, way: Way = way, size: int = size) -> int:
                    n = versions[way.name]  # a new note each time: an equal value is no change
                    start = (n * size) % ITEMS
                    patch = {
                        i: {"status": "compliant", "note": f"复查记录 {n}"}
                        for i in (items * 2)[start : start + size]
                    }
                    async with conn.begin():
                        sent = await way.save(conn, patch, versions[way.name])
                    versions[way.name] += 1
                    return sent

                figures = await _passes(meter, logger, rounds if size == 1 else rounds // 4, save)
                seen.clear()
                await save(0)
                figures.statements = sum(
                    s.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT") for s in seen
                )
                results[label].append((way.name, figures))
        results["read of all answers"] = []
        for way in chosen:

            async def read(_: int, way: Way = way) -> int:
                value = (await conn.execute(way.read, {"id": 1})).scalar_one()
                await conn.commit()
                return len(value if isinstance(value, str) else json.dumps(value))

            figures = await _passes(meter, logger, rounds, read)
            figures.statements = 1
            results["read of all answers"].append((way.name, figures))
    await engine.dispose()
    return results


async def _passes(
    meter: Meter, logger: AsyncConnection, count: int, run: Callable[[int], Awaitable[int]]
) -> Figures:
    """A warm-up, then ``PASSES`` passes: the least of each figure."""
    await timed(meter, logger, max(5, count // 10), run)
    best = Figures()
    for _ in range(PASSES):
        figures = await timed(meter, logger, count // PASSES, run)
        best.keep_least(figures)
        best.sent = figures.sent
    return best


def table(database: str, results: dict[str, list[tuple[str, Figures]]], rounds: int) -> str:
    lines = [
        f"{database}, {rounds} single saves and {rounds // 4} 50-answer saves per way, "
        f"{time.strftime('%Y-%m-%d %H:%M')}:",
        "",
        "| operation | way | wall | CPU here | CPU PostgreSQL | statements | bytes sent | "
        "WAL bytes | wall ratio | CPU ratio (here + PostgreSQL) | WAL ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, rows in results.items():
        base = rows[0][1]
        for name, f in rows:
            sent = "—" if label.startswith("read") else f"{f.sent:,.0f}"
            lines.append(
                f"| {label} | {name} | {f.wall:.3f} ms | {f.cpu:.3f} ms | {f.backend:.3f} ms | "
                f"{f.statements} | {sent} | {f.log:,.0f} | {f.wall / base.wall:.2f} | "
                f"{(f.cpu + f.backend) / (base.cpu + base.backend):.2f} | "
                f"{f.log / base.log if base.log else 0:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        with scratch_database(database, PG_NAME) as url:
            results = asyncio.run(measure(url, args.rounds))
        print(table(database, results, args.rounds), end="\n\n")


if __name__ == "__main__":
    main()
