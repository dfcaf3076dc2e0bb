"""Service benchmark (issues 4 and 11): anbiao's endpoints against three yardsticks in one run,
and the surge.

Run: ``.venv/bin/python benchmarks/bench_service.py [--database sqlite|postgres|both] [--write]``
(needs ``wrk``: ``apt-get install -y wrk``). For each database, in one run:

1. Load (``load.py``): one server process at a time pinned to core 0 (``taskset -c 0``), ``wrk
   -t1 -c64`` pinned to core 1, CPU per request from /proc: the bare Litestar endpoint
   (``bare_app.py``); a fresh database seeded through anbiao's API, then anbiao's checklist read,
   reviewer queue, 50-answer save and single-answer autosave; the DB-backed ceiling
   (``ceiling_app.py``) on the same database; on PostgreSQL the peer (``peer.py``: Django + DRF as
   CISO Assistant builds it). SQL statements per request are counted in process
   (``statements.py``; the peer's by Django).
2. Surge (``surge.py``): on another fresh database, ``anbiao serve --workers 2`` (unpinned) takes
   every enterprise through the whole workflow, saving answers in batches of 50 — and, for a
   smaller number, one answer per save as the pages autosave — then the database is checked.

PostgreSQL runs in databases of their own (``anbiao_bench``, ``peer_bench``, ``anbiao_surge``),
dropped at the end.
``--write`` updates docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from doc_section import write_section
from load import SEED_FIRMS, Result, Runs, anbiao_load, ceiling_load, measure_get, seed_load
from peer import DATABASE as PEER_DATABASE
from peer import peer_load, peer_server, peer_statements, seed
from report import (
    ceiling_table,
    goal_table,
    load_average,
    load_table,
    phase_table,
    surge_table,
)
from servers import (
    PG_BENCH_DB,
    PG_SURGE_DB,
    PG_URL,
    anbiao_server,
    bare_server,
    ceiling_server,
    fresh_url,
)
from servers import recreate_pg as recreate
from statements import anbiao_statements, ceiling_statements
from surge import run_surge
from workflow import BATCH, REVIEWERS


def load_test(
    database: str,
    folder: Path,
    pg_base: str,
    seconds: int,
    connections: int,
    with_peer: bool,
    rounds: int,
) -> dict[str, Runs]:
    """Bare, then ``rounds`` rounds of anbiao and its ceiling (one pinned server after the
    other, which goes first alternating: a drift of the shared machine falls on both alike),
    and (``with_peer``) the peer once."""
    results: dict[str, Runs] = {}
    with bare_server(folder, "0") as served:
        results["bare"] = [measure_get(served, folder, [("/plain", "")], seconds, connections)]
    url = fresh_url(database, folder, "load", pg_base)
    with anbiao_server(url, 2, folder, None) as served:  # seeding: both cores
        plans = asyncio.run(seed_load(served.base, url, connections, rounds))

    def anbiao(n: int) -> dict[str, Result]:
        with anbiao_server(url, 1, folder, "0") as served:
            return anbiao_load(served, folder, plans, seconds, connections, n)

    def ceiling(_round: int) -> dict[str, Result]:  # the same assessments every round
        with ceiling_server(url, folder, "0") as served:
            return ceiling_load(served, folder, plans, seconds, connections)

    for n in range(rounds):
        for measure in (anbiao, ceiling) if n % 2 == 0 else (ceiling, anbiao):
            for name, result in measure(n).items():
                results.setdefault(name, []).append(result)
    counts = anbiao_statements(url, plans) | ceiling_statements(url, plans)
    if with_peer:
        env, peer_plans = seed(folder, pg_base, plans.answers, SEED_FIRMS)
        with peer_server(env, folder, "0") as served:
            results |= {
                k: [r]
                for k, r in peer_load(served, folder, peer_plans, seconds, connections).items()
            }
        counts |= peer_statements(env, folder, peer_plans)
    for name, (statements, size) in counts.items():
        for result in results[name]:
            result |= {"statements": statements, "bytes": size}
    return results


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--postgres-url", default=PG_URL, help=f"server to create '{PG_BENCH_DB}' and the peer's on"
    )
    parser.add_argument(
        "--seconds", type=int, default=10, help="wrk duration per endpoint (0: skip the load test)"
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of anbiao and its ceiling in the load test (the goals take the median)",
    )
    parser.add_argument("--no-peer", action="store_true", help="skip the Django peer")
    parser.add_argument("--enterprises", type=int, default=4288, help="surge size (0: skip)")
    parser.add_argument(
        "--autosave-enterprises",
        type=int,
        default=200,
        help="surge size of the variant that saves one answer at a time (0: skip)",
    )
    parser.add_argument("--workers", type=int, default=2, help="server workers in the surge")
    parser.add_argument(
        "--surge-database",
        choices=("sqlite", "postgres", "both"),
        default="postgres",
        help="where the surges run (among --database)",
    )
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    return parser.parse_args()


def report(args: argparse.Namespace, before: str, load: Any, surges: Any) -> dict[str, str]:
    """The text of the load section and of the surge section (those measured)."""
    head = (
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} with `python benchmarks/bench_service.py "
        f"{' '.join(sys.argv[1:])}` on a shared 2-core machine; load average (1 / 5 / 15 min) "
        f"{before} before the run, {load_average()} after it."
    )
    sections: dict[str, str] = {}
    if load:
        lines = [
            head,
            "",
            (
                f"Load: each server one process pinned to core 0, `wrk -c{args.connections} "
                f"-d{args.seconds}s` pinned to core 1 (reads `-t1`, saves one thread per "
                "connection); CPU per request of the server's processes and of the benchmark's "
                "PostgreSQL backends, from /proc; statements counted in process. anbiao and its "
                f"ceiling ran {args.rounds} rounds each, alternating which went first (bare and "
                "the peer once): a row gives the endpoint's median round by requests per second, "
                "with the range of all rounds."
            ),
            "",
            *load_table(load),
            "",
            "Goals (the peer runs on PostgreSQL only; SQLite's rows are compared with it too):",
            "",
            *goal_table(load),
        ]
        sections["service"] = "\n".join(lines)
    if surges:
        lines = [
            head,
            "",
            (
                f"Surge: {REVIEWERS} reviewers, `anbiao serve --workers {args.workers}` "
                f"(unpinned), {args.connections} concurrent keep-alive clients "
                "(`benchmarks/lean_client.py`) on the same machine."
            ),
            "",
            *surge_table(surges),
            "",
            (
                "After its sign-ups, against the DB-backed ceiling (`ceiling_app.py`, the same "
                f"`--workers {args.workers}`, clients and database, run right after it) taking "
                "as many requests per enterprise: one read of the assessment and, for each write "
                "of the workflow, a versioned `UPDATE` and an audit `INSERT` carrying the same "
                "answers:"
            ),
            "",
            *ceiling_table(surges),
            "",
            "Phases, with the CPU seconds each part used (2 cores give at most twice the wall):",
            "",
            *phase_table(surges),
        ]
        sections["service-surge"] = "\n".join(lines)
    return sections


def main() -> None:
    args = arguments()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    before = load_average()
    load: dict[str, dict[str, Runs]] = {}
    surges: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="anbiao-bench-") as tmp:
        folder = Path(tmp)
        try:
            for database in databases:
                if args.seconds:
                    load[database] = load_test(
                        database,
                        folder,
                        args.postgres_url,
                        args.seconds,
                        args.connections,
                        database == "postgres" and not args.no_peer,
                        args.rounds,
                    )
                    print("\n".join(load_table({database: load[database]})), flush=True)
                surge_here = args.surge_database in ("both", database)
                for count, size, kind in (
                    (args.enterprises, BATCH, "batches"),
                    (args.autosave_enterprises, 1, "autosave"),
                ):
                    if count and surge_here:
                        label = f"{database}, {kind}"
                        surges[label] = run_surge(
                            database,
                            folder,
                            args.postgres_url,
                            count,
                            args.workers,
                            args.connections,
                            size,
                        )
                        print("\n".join(surge_table({label: surges[label]})), flush=True)
                        print("\n".join(ceiling_table({label: surges[label]})), flush=True)
        finally:
            created = ([PG_BENCH_DB, PEER_DATABASE] if args.seconds else []) + (
                [PG_SURGE_DB] if args.enterprises or args.autosave_enterprises else []
            )
            if "postgres" in databases:
                for name in created:
                    asyncio.run(recreate(args.postgres_url, name, drop_only=True))
    for name, text in report(args, before, load, surges).items():
        print(text)
        if args.write:
            write_section(name, text)


if __name__ == "__main__":
    main()
