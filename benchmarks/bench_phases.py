"""CPU and statements per enterprise of each request of the surge's workflow, in process (issue 11).

Run: ``.venv/bin/python benchmarks/bench_phases.py [--database sqlite|postgres] [--enterprises N]``.

The surge (``surge.py``) takes 4,288 enterprises through the whole workflow on a served
``anbiao serve --workers 2``; this takes ``--enterprises`` of them through the same requests,
one at a time, through Litestar's test client in this process (``bench_requests.InProcess``), so
that a change to one workflow step can be measured without a server and a load: the service
CPU of each request per enterprise (``time.process_time``, the test client's own cost included)
and the SQL statements it sent (an SQLAlchemy ``before_cursor_execute`` listener). Scratch
database as ``bench_requests.py``'s (SQLite file, or PostgreSQL ``bench_phases``, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import logging
import time
from collections.abc import Awaitable, Callable

from bench_requests import InProcess
from servers import SECRET, scratch_database
from sqlalchemy import event
from workflow import (
    Api,
    Firm,
    answer_sets,
    assign,
    conclude,
    create_staff,
    login_staff,
    new_assessment,
    open_application,
    read_checklist,
    save_all,
    save_review,
    sign_up,
)

from anbiao.api.app import create_app
from anbiao.api.kernel.settings import Settings

PG_NAME = "bench_phases"
Step = Callable[[Firm], Awaitable[None]]


async def measure(url: str, enterprises: int, profile: str = "") -> list[tuple[str, float, float]]:
    """(phase, CPU ms per enterprise, statements per enterprise) for each phase in order;
    ``profile``: the phases whose name has this run under cProfile, their statistics written to
    ``/tmp/profile-phases.out``."""
    app = create_app(Settings(database_url=url, secret_key=SECRET), create_all=True)
    async with app.lifespan():
        api = Api("http://127.0.0.1", 1)
        api.client = InProcess(app)  # type: ignore[assignment]
        await create_staff(url)
        staff = await login_staff(api)
        answers = answer_sets()
        reviews = answers.reviews
        firms = [Firm(i) for i in range(enterprises)]
        sent: list[str] = []
        engine = app.state.db_config.get_engine().sync_engine
        event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
        phases: list[tuple[str, Step]] = [
            ("sign-up (argon2)", lambda f: sign_up(api, f)),
            ("new self-assessment", lambda f: new_assessment(api, f)),
            ("checklist read", lambda f: read_checklist(api, f)),
            ("5 saves of ≤ 50 answers", lambda f: save_all(api, f, answers.full)),
            ("application", lambda f: open_application(api, f)),
            ("submission", lambda f: api.act(f.token, f.app, "submit")),
            ("acceptance", lambda f: api.act(staff.admin, f.app, "accept")),
            ("assignment", lambda f: assign(api, f, staff)),
            ("review save, first reviewer", lambda f: save_review(api, f, staff, 0, reviews[0])),
            ("review save, second reviewer", lambda f: save_review(api, f, staff, 1, reviews[1])),
            ("conclusion", lambda f: conclude(api, f, staff)),
            ("approval", lambda f: api.act(staff.admin, f.app, "approve")),
        ]
        results = []
        profiler = cProfile.Profile()
        for name, step in phases:
            sent.clear()
            profiled = profile and profile in name
            cpu = time.process_time()
            with profiler if profiled else contextlib.nullcontext():
                for firm in firms:
                    await step(firm)
            took = (time.process_time() - cpu) / enterprises * 1e3
            results.append((name, took, len(sent) / enterprises))
        if profile:
            profiler.dump_stats("/tmp/profile-phases.out")
        return results


def table(results: list[tuple[str, float, float]]) -> str:
    lines = ["| phase | CPU per enterprise | statements per enterprise |", "|---|---:|---:|"]
    lines += [f"| {name} | {cpu:.2f} ms | {count:.1f} |" for name, cpu, count in results]
    without = sum(cpu for name, cpu, _ in results if not name.startswith("sign-up"))
    lines.append(f"| all but the sign-up | {without:.2f} ms | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--enterprises", type=int, default=60)
    parser.add_argument("--profile", default="", help="profile the phases whose name has this")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with scratch_database(args.database, PG_NAME) as url:
        results = asyncio.run(measure(url, args.enterprises, args.profile))
    print(f"{args.database}, {args.enterprises} enterprises, {time.strftime('%Y-%m-%d %H:%M')}")
    print(table(results))


if __name__ == "__main__":
    main()
