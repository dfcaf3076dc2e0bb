"""CPU and statements per request of the hot endpoints, in process (issue 11).

Run: ``.venv/bin/python benchmarks/bench_requests.py [--database sqlite|postgres] [--rounds 200]``.

No server and no load: the app is called through Litestar's ``AsyncTestClient`` one request at
a time, so this measures what one request costs the service's process (``time.process_time``,
every thread: aiosqlite's too), apart the PostgreSQL backends' CPU (from /proc), and how many
statements it sends (an SQLAlchemy ``before_cursor_execute`` listener). The test client's own
cost is in every figure, so each endpoint is also given as a ratio to ``GET /auth/me`` (an
authenticated read of the cached account) of the same run. Seeds 32 enterprises under review
(``benchmarks/workflow``) in a scratch database (SQLite file, or PostgreSQL
``bench_requests_hotpath``, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import ceiling_app
import httpx
from lean_client import Response
from litestar import Litestar
from servers import SECRET, cpu_seconds, scratch_database
from sqlalchemy import Engine, event
from workflow import (
    Api,
    Firm,
    accept_and_assign,
    answer_sets,
    apply,
    create_staff,
    fill,
    login_staff,
    new_assessment,
    sign_up,
)

from anbiao.api.app import create_app
from anbiao.api.kernel.settings import Settings

PG_NAME = "bench_requests_hotpath"
FIRMS = 32
QUEUE = "/api/v1/applications/?state=under_review"
REPEATS = 5
Case = Callable[[], Awaitable[Any]]


class InProcess:
    """``lean_client.Client``'s interface over the app in this event loop, for ``workflow.Api``."""

    def __init__(self, app: Litestar) -> None:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.client = httpx.AsyncClient(
            transport=transport,
            base_url="http://127.0.0.1",
            headers={"Accept-Encoding": "identity"},  # as wrk and the surge client
        )

    async def request(self, method: str, path: str, token: str = "", body: Any = None) -> Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = await self.client.request(method, path, headers=headers, json=body)
        return Response(r.status_code, r.content)

    async def aclose(self) -> None:
        return None


async def seed(api: Api, url: str) -> tuple[list[Firm], str, str]:
    await create_staff(url)
    staff = await login_staff(api)
    answers = answer_sets()
    firms = [Firm(i) for i in range(FIRMS)]
    for firm in firms:
        await sign_up(api, firm)
        await new_assessment(api, firm)
        await fill(api, firm, answers.full)
        await apply(api, firm)
        await accept_and_assign(api, firm, staff)
        await new_assessment(api, firm)  # a second one, filled, for the saves
        await fill(api, firm, answers.full)
    return firms, staff.admin, staff.reviewers[0][1]


async def measure(
    url: str, rounds: int, profile: str
) -> list[tuple[str, float, float, float, int]]:
    app = create_app(Settings(database_url=url, secret_key=SECRET), create_all=True)
    async with app.lifespan():
        api = Api("http://127.0.0.1", 1)
        api.client = InProcess(app)  # type: ignore[assignment]
        firms, admin, reviewer = await seed(api, url)
        firm = firms[0]
        toggle = list(answer_sets().toggle)
        single = [{k: v} for k, v in list(toggle[1].items())[:1]] + [
            {k: v} for k, v in list(toggle[0].items())[:1]
        ]
        n = 0

        async def save(sets: list[dict[str, Any]]) -> None:
            nonlocal n
            body = {"version": firm.version, "answers": sets[n % 2]}
            n += 1
            path = f"/api/v1/assessments/{firm.assessment_id}/answers"
            firm.version = (await api.call("PATCH", path, firm.token, body=body))["version"]

        scores = answer_sets().reviews[0]
        marks = [scores, {k: {**v, "note": "现场抽查"} for k, v in scores.items()}]

        async def review() -> None:
            nonlocal n
            body = {"answers": marks[n % 2]}
            n += 1
            path = f"/api/v1/applications/{firm.app.id}/review"
            await api.call("PUT", path, reviewer, body=body, parse=False)

        ceiling = ceiling_app.create_app(url, SECRET)
        peer = firms[1]  # the ceiling writes to another firm's assessment
        ceiling_api = Api("http://127.0.0.1", 1)
        ceiling_api.client = InProcess(ceiling)  # type: ignore[assignment]

        async def ceiling_write() -> None:
            body = {"version": peer.version, "answers": single[0]}
            path = f"/ceiling/assessments/{peer.assessment_id}/answers"
            peer.version = (await ceiling_api.call("PATCH", path, peer.token, body=body))["version"]

        cases: list[tuple[str, Case]] = [
            ("`GET /auth/me` (baseline)", lambda: api.call("GET", "/api/v1/auth/me", firm.token)),
            (
                "ceiling read",
                lambda: ceiling_api.call(
                    "GET", f"/ceiling/assessments/{firm.assessment_id}", firm.token, parse=False
                ),
            ),
            ("ceiling write, 1 answer", ceiling_write),
            (
                "checklist read",
                lambda: api.call(
                    "GET",
                    f"/api/v1/assessments/{firm.assessment_id}/checklist",
                    firm.token,
                    parse=False,
                ),
            ),
            ("reviewer queue (reviewer)", lambda: api.call("GET", QUEUE, reviewer, parse=False)),
            (
                f"reviewer queue (admin, {FIRMS} rows)",
                lambda: api.call("GET", QUEUE, admin, parse=False),
            ),
            ("single-answer save", lambda: save(single)),
            ("50-answer save", lambda: save(toggle)),
            (f"review save ({len(scores)} scores)", review),
        ]
        engines = [a.sync_engine for a in (app.state.db_config.get_engine(), ceiling.state.engine)]
        async with ceiling.lifespan():
            return await _run(engines, cases, rounds, profile)


async def _run(
    engines: list[Engine], cases: list[tuple[str, Case]], rounds: int, profile: str
) -> list[tuple[str, float, float, float, int]]:
    """Each case warmed up and its statements counted once; then ``REPEATS`` passes over all
    cases of ``rounds / REPEATS`` requests each, keeping each case's least CPU per request (the
    pass least disturbed by other processes) and the mean PostgreSQL CPU of all passes.
    ``profile``: the case (a part of its name) to run once more under cProfile, its statistics
    written to ``/tmp/profile-<profile>.out``."""
    seen: list[str] = []
    for engine in engines:
        event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    statements = {}
    for name, case in cases:
        for _ in range(max(5, rounds // 10)):
            await case()
        seen.clear()
        await case()
        statements[name] = len(seen)
    best: dict[str, tuple[float, float]] = {}
    backend = dict.fromkeys(statements, 0.0)  # /proc counts in 10 ms ticks: summed over passes
    per_pass = max(1, rounds // REPEATS)
    for _ in range(REPEATS):
        for name, case in cases:
            wall, cpu, before = time.perf_counter(), time.process_time(), _backend_cpu()
            for _ in range(per_pass):
                await case()
            took = ((time.perf_counter() - wall) / per_pass, (time.process_time() - cpu) / per_pass)
            best[name] = min(best.get(name, took), took, key=lambda t: t[1])
            backend[name] += (_backend_cpu() - before) / (per_pass * REPEATS)
    for name, case in cases:
        if profile and profile in name:
            with cProfile.Profile() as profiler:
                for _ in range(rounds):
                    await case()
            profiler.dump_stats(f"/tmp/profile-{profile}.out")
    return [
        (n, best[n][0] * 1e3, best[n][1] * 1e3, backend[n] * 1e3, statements[n]) for n, _ in cases
    ]


def _backend_cpu() -> float:
    """CPU seconds so far of the PostgreSQL backends of the scratch database (0 on SQLite)."""
    return cpu_seconds(0, (PG_NAME,))["database"]


def table(results: list[tuple[str, float, float, float, int]]) -> str:
    base = results[0][2]
    lines = [
        "| request | wall | CPU | CPU / baseline | PostgreSQL CPU | statements |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {wall:.2f} ms | {cpu:.2f} ms | {cpu / base:.1f}× | {pg:.2f} ms | {count} |"
        for name, wall, cpu, pg, count in results
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--profile", default="", help="profile the case whose name has this")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with scratch_database(args.database, PG_NAME) as url:
        results = asyncio.run(measure(url, args.rounds, args.profile))
    print(f"{args.database}, {args.rounds} rounds, {time.strftime('%Y-%m-%d %H:%M')}")
    print(table(results))


if __name__ == "__main__":
    main()
