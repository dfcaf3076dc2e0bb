"""The surge: every enterprise through the whole workflow, phase by phase, with the CPU each
part used; then the database is checked against what the clients sent; then the DB-backed
ceiling takes as many requests per enterprise on the same server settings (its yardstick)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from servers import (
    CPU_ROLES,
    PG_SURGE_DB,
    SECRET,
    Served,
    anbiao_server,
    ceiling_server,
    cpu_seconds,
    fresh_url,
)
from sqlalchemy import func, select
from workflow import (
    REVIEWERS,
    Answers,
    Firm,
    accept_and_assign,
    answer_sets,
    api_client,
    apply,
    create_staff,
    login_staff,
    new_assessment,
    pool,
    read_checklist,
    review,
    save_all,
    sign_up,
)

from anbiao.api.kernel.db import db_config
from anbiao.api.kernel.models import Application, Assessment, Assignment, Event
from anbiao.api.kernel.settings import Settings
from anbiao.core.models.answers import Answer


async def surge(
    served: Served, url: str, enterprises: int, concurrency: int, size: int
) -> dict[str, Any]:
    """The whole workflow for every enterprise, the answers saved ``size`` at a time: wall time
    and CPU per phase."""
    await create_staff(url)
    phases: dict[str, float] = {}
    cpu: dict[str, dict[str, float]] = {}
    async with api_client(served.base, concurrency) as api:
        staff = await login_staff(api)
        firms = [Firm(i) for i in range(enterprises)]

        async def timed(name: str, work: Callable[[Firm], Awaitable[None]]) -> None:
            start, before = time.perf_counter(), cpu_seconds(served.session, (PG_SURGE_DB,))
            await pool(firms, work, concurrency)
            phases[name] = time.perf_counter() - start
            after = cpu_seconds(served.session, (PG_SURGE_DB,))
            cpu[name] = {role: after[role] - before[role] for role in CPU_ROLES}

        await timed("sign-up (argon2)", lambda f: sign_up(api, f))
        answers = answer_sets()
        saves = -(-len(answers.full) // size)

        async def begin(firm: Firm) -> None:
            await new_assessment(api, firm)
            await read_checklist(api, firm)

        await timed("new self-assessment, checklist read", begin)
        await timed(
            f"{saves} saves of ≤ {size} answers" if size > 1 else f"{saves} autosaves of 1 answer",
            lambda f: save_all(api, f, answers.full, size),
        )
        await timed("application and submission", lambda f: apply(api, f))
        await timed("acceptance and assignment", lambda f: accept_and_assign(api, f, staff))
        await timed("two reviews and conclusion", lambda f: review(api, f, staff, answers.reviews))
        await timed("approval", lambda f: api.act(staff.admin, f.app, "approve"))
        requests, errors = api.requests, api.server_errors
    checks = await verify(url, enterprises, answers, saves)
    return {
        "firms": firms,
        "phases": phases,
        "cpu": cpu,
        "requests": requests,
        "server_errors": errors,
        "checks": checks,
        "items": len(answers.full),
        "saves": saves,
        "size": size,
        "enterprises": enterprises,
    }


def canonical(answers: dict[str, Any]) -> str:
    """Answers as the server stores them (defaults dropped), as sorted JSON."""
    stored = {
        k: Answer.model_validate(v).model_dump(mode="json", exclude_defaults=True)
        for k, v in answers.items()
    }
    return json.dumps(stored, sort_keys=True)


async def verify(url: str, enterprises: int, answers: Answers, saves: int) -> dict[str, Any]:
    """Count what the database holds against what the clients sent."""
    config = db_config(Settings(database_url=url, secret_key=SECRET))
    per_firm = {
        "enterprise.registered": 1,
        "assessment.created": 1,
        "assessment.answers_saved": saves,
        "application.created": 1,
        "application.submit": 1,
        "application.accept": 1,
        "application.assign": 1,
        "review.scored": 2,
        "application.conclude_pass": 1,
        "application.approve": 1,
    }
    expected = Counter({k: v * enterprises for k, v in per_firm.items()})
    expected["user.created"] = REVIEWERS + 1
    async with config.get_session() as session:
        states = Counter(
            dict(
                (
                    await session.execute(
                        select(Application.state, func.count()).group_by(Application.state)
                    )
                ).all()
            )
        )
        events = Counter(
            dict(
                (
                    await session.execute(select(Event.action, func.count()).group_by(Event.action))
                ).all()
            )
        )
        stored = list(await session.scalars(select(Assessment.answers)))
        frozen = list(await session.scalars(select(Application.answers)))
        reviews = list(await session.scalars(select(Assignment.answers)))
    await config.get_engine().dispose()
    sent = len(answers.full) * enterprises
    full = canonical(answers.full)
    return {
        "publicity": states["publicity"],
        "applications": sum(states.values()),
        "answers_sent": sent,
        "answers_stored": sum(len(a) for a in stored),
        "answers_exact": all(canonical(a) == full for a in stored + frozen),
        "reviews_exact": sorted(map(canonical, reviews))
        == sorted(canonical(r) for r in answers.reviews * enterprises),
        "events": sum(events.values()),
        "events_expected": sum(expected.values()),
        "events_exact": events == expected,
    }


def ceiling_bodies(answers: Answers, size: int) -> list[dict[str, Any]]:
    """The answers each write of the workflow after sign-up carries, in order: the new
    self-assessment, the saves' batches, the application, submission, acceptance and
    assignment, the two reviews' scores, the conclusion and the approval."""
    ids = list(answers.full)
    batches = [{i: answers.full[i] for i in ids[s : s + size]} for s in range(0, len(ids), size)]
    return [{}, *batches, {}, {}, {}, {}, *answers.reviews, {}, {}]


async def ceiling_surge(
    served: Served, firms: list[Firm], bodies: list[dict[str, Any]], concurrency: int
) -> dict[str, Any]:
    """The DB-backed ceiling (``ceiling_app.py``) taking the requests the workflow sends per
    enterprise after sign-up, as many and as large: one read of its assessment (the checklist
    read's place) and a versioned ``UPDATE`` with its audit ``INSERT`` for each write, carrying
    the answers that write carried; the same clients and concurrency, enterprise by enterprise."""
    async with api_client(served.base, concurrency) as api:

        async def run(firm: Firm) -> None:
            path = f"/ceiling/assessments/{firm.assessment_id}"
            version = (await api.call("GET", path, firm.token))["version"]
            for body in bodies:
                sent = {"version": version, "answers": body}
                version = (await api.call("PATCH", f"{path}/answers", firm.token, body=sent))[
                    "version"
                ]

        start, before = time.perf_counter(), cpu_seconds(served.session, (PG_SURGE_DB,))
        await pool(firms, run, concurrency)
        wall = time.perf_counter() - start
        after = cpu_seconds(served.session, (PG_SURGE_DB,))
        return {
            "wall": wall,
            "cpu": {role: after[role] - before[role] for role in CPU_ROLES},
            "requests": api.requests,
        }


def run_surge(
    database: str,
    folder: Path,
    pg_base: str,
    enterprises: int,
    workers: int,
    concurrency: int,
    size: int,
) -> dict[str, Any]:
    """The surge on a fresh database, then the ceiling's on the same database (as many
    workers)."""
    url = fresh_url(database, folder, "surge", pg_base, PG_SURGE_DB)
    with anbiao_server(url, workers, folder, None) as served:
        result = asyncio.run(surge(served, url, enterprises, concurrency, size))
    bodies = ceiling_bodies(answer_sets(), size)
    with ceiling_server(url, folder, None, workers) as served:
        firms = result.pop("firms")
        result["ceiling"] = asyncio.run(ceiling_surge(served, firms, bodies, concurrency))
    return result
