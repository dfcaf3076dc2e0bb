"""The load test: wrk at fixed concurrency against one pinned worker, with CPU per request.

Every endpoint runs after a 2 s warm-up; the CPU seconds of the server's processes and of
PostgreSQL's are read from /proc around the measured run and divided by its requests.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from servers import HERE, Served, cpu_seconds
from workflow import (
    Answers,
    Firm,
    accept_and_assign,
    answer_sets,
    api_client,
    apply,
    create_staff,
    fill,
    login_staff,
    new_assessment,
    pool,
    sign_up,
)

LUA = HERE / "wrk_service.lua"
SEED_FIRMS = 160  # 160 applications under review, 16 in each reviewer's queue
QUEUE = "/api/v1/applications/?state=under_review"
Result = dict[str, float]
Runs = list[Result]  # an endpoint's runs: one per round
FRESH = 3  # empty assessments per connection and round, for the autosave


@dataclass(frozen=True, slots=True)
class Plans:
    """What the wrk plans need: tokens, assessments (and their versions), answer sets."""

    checklist: list[Firm]  # one per connection
    patch: list[Firm]  # filled assessments, half again as many as connections
    fresh: list[Firm]  # empty assessments, FRESH per connection and round: each autosave adds one
    queue: list[str]  # reviewer tokens
    answers: Answers

    def fresh_for(self, round_: int, connections: int) -> list[Firm]:
        """The empty assessments of round ``round_`` (each round answers its own from the
        first item on, so that the rounds measure the same work)."""
        return self.fresh[round_ * FRESH * connections : (round_ + 1) * FRESH * connections]


async def seed_load(base: str, url: str, connections: int, rounds: int = 1) -> Plans:
    """160 applications under review (16 per reviewer); each firm also gets a second, filled
    assessment for the batch save (the first is frozen by its application); the first
    ``connections`` firms get ``FRESH`` more for each of ``rounds``, empty, for the autosave."""
    await create_staff(url)
    spare = connections + connections // 2  # assessments beyond one per connection
    async with api_client(base, 16) as api:
        staff = await login_staff(api)
        firms = [Firm(i) for i in range(SEED_FIRMS)]
        await pool(firms, lambda f: sign_up(api, f), 16)
        answers = answer_sets()

        async def prepare(firm: Firm) -> None:
            await new_assessment(api, firm)
            await fill(api, firm, answers.full)
            await apply(api, firm)
            await accept_and_assign(api, firm, staff)
            await new_assessment(api, firm)
            await fill(api, firm, answers.full)

        await pool(firms, prepare, 16)
        fresh = [
            replace(f) for _ in range(rounds) for f in firms[:connections] for _ in range(FRESH)
        ]
        await pool(fresh, lambda f: new_assessment(api, f), 16)
    queue = [t for _, t in staff.reviewers]
    return Plans(firms[:connections], firms[:spare], fresh, queue, answers)


def write_plan(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / f"{name}.plan"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def get_plan(folder: Path, name: str, requests: list[tuple[str, str]]) -> Path:
    """A plan of GET requests: (path, token) pairs, cycled through."""
    return write_plan(folder, name, ["GET", *(f"{path}\t{token}" for path, token in requests)])


@dataclass(frozen=True, slots=True)
class Writes:
    """A PATCH target: URL ``prefix + id + suffix``; ``read(id)`` is a GET giving ``version``."""

    prefix: str
    suffix: str
    read: Callable[[str], str]


ANBIAO = Writes("/api/v1/assessments/", "/answers", lambda i: f"/api/v1/assessments/{i}")
CEILING = Writes("/ceiling/assessments/", "/answers", lambda i: f"/ceiling/assessments/{i}")


async def current_versions(base: str, firms: list[Firm], writes: Writes) -> None:
    """Read each assessment's version again (an earlier wrk run moved them on). wrk exits
    without waiting for its last responses: read until two reads a second apart agree, so the
    saves still in flight have landed (else the next run starts with stale versions: 409s)."""
    async with api_client(base, 8) as api:

        async def read(firm: Firm) -> None:
            out = await api.call("GET", writes.read(firm.assessment_id), firm.token)
            firm.version = int(out["version"])

        before: list[int] | None = None
        while (now := [f.version for f in firms]) != before:
            before = now
            await asyncio.sleep(1.0)
            await pool(firms, read, 8)


def patch_plan(
    served: Served,
    folder: Path,
    writes: Writes,
    sets: list[dict[str, Any]] | tuple[dict[str, Any], ...],
    firms: list[Firm],
) -> Path:
    asyncio.run(current_versions(served.base, firms, writes))
    lines = [
        f"PATCH\t{writes.prefix}\t{writes.suffix}\t{len(sets)}",
        *(json.dumps(s, ensure_ascii=False, separators=(",", ":")) for s in sets),
        *(f"{f.assessment_id}\t{f.version}\t{f.token}" for f in firms),
    ]
    return write_plan(folder, "patch", lines)


def wrk(base: str, plan: Path, seconds: int, connections: int) -> Result:
    """One wrk run pinned to core 1; the figures printed by the script's done(). Reads run in
    one wrk thread; saves in one thread per connection (the script tracks versions per thread)."""
    threads = 1 if plan.read_text(encoding="utf-8").startswith("GET") else connections
    command = ["taskset", "-c", "1", "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", "30s", "-s", str(LUA), base, "--", str(plan), str(threads)]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    match = re.search(r"^BENCH (\{.*\})$", out, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no BENCH line from wrk:\n{out}")
    raw = json.loads(match.group(1))
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "non2xx": raw["non2xx"],
        "socket_errors": errors,
        "requests": raw["requests"],
    }


def settle(served: Served, timeout: float = 300.0) -> None:
    """Wait until the server is idle (its CPU time stands still for half a second): wrk exits
    without waiting for its last responses, and a server finishes requests whose clients have
    gone (a synchronous gunicorn worker even those still in its listen backlog)."""
    deadline = time.monotonic() + timeout
    used = cpu_seconds(served.session)["service"]
    while time.monotonic() < deadline:
        time.sleep(0.5)  # sampling interval, not synchronisation
        now = cpu_seconds(served.session)["service"]
        if now - used < 0.02:
            return
        used = now


def warm_up(served: Served, plan: Path, connections: int) -> None:
    """Two seconds of the same load (caches, connection pool), then wait for the server."""
    wrk(served.base, plan, 2, connections)
    settle(served)


def measure(served: Served, plan: Path, seconds: int, connections: int) -> Result:
    """The measured run, with service and database CPU milliseconds per request."""
    before = cpu_seconds(served.session)
    result = wrk(served.base, plan, seconds, connections)
    after = cpu_seconds(served.session)
    settle(served)  # before the next run
    requests = max(result["requests"], 1)
    result["cpu_service"] = (after["service"] - before["service"]) * 1000 / requests
    result["cpu_database"] = (after["database"] - before["database"]) * 1000 / requests
    return result


def measure_get(
    served: Served, folder: Path, requests: list[tuple[str, str]], seconds: int, connections: int
) -> Result:
    plan = get_plan(folder, "get", requests)
    warm_up(served, plan, connections)
    return measure(served, plan, seconds, connections)


def measure_patch(
    served: Served,
    folder: Path,
    writes: Writes,
    sets: list[dict[str, Any]] | tuple[dict[str, Any], ...],
    firms: list[Firm],
    seconds: int,
    connections: int,
) -> Result:
    """Warm-up, then the measured run, each on versions read afresh."""
    warm_up(served, patch_plan(served, folder, writes, sets, firms), connections)
    return measure(served, patch_plan(served, folder, writes, sets, firms), seconds, connections)


def anbiao_load(
    served: Served, folder: Path, plans: Plans, seconds: int, connections: int, round_: int = 0
) -> dict[str, Result]:
    """Checklist read, reviewer queue, 50-answer save and single-answer autosave (new row) on
    the empty assessments of round ``round_``."""
    checklist = [
        (f"/api/v1/assessments/{f.assessment_id}/checklist", f.token) for f in plans.checklist
    ]
    queue = [(QUEUE, token) for token in plans.queue]
    toggle, singles = plans.answers.toggle, plans.answers.singles
    return {
        "checklist": measure_get(served, folder, checklist, seconds, connections),
        "reviewer queue": measure_get(served, folder, queue, seconds, connections),
        "batch save": measure_patch(
            served, folder, ANBIAO, toggle, plans.patch, seconds, connections
        ),
        "autosave": measure_patch(
            served,
            folder,
            ANBIAO,
            singles,
            plans.fresh_for(round_, connections),
            seconds,
            connections,
        ),
    }


def ceiling_load(
    served: Served, folder: Path, plans: Plans, seconds: int, connections: int
) -> dict[str, Result]:
    """The ceiling's read, and its write with a 50-answer and with a single-answer body."""
    reads = [(CEILING.read(f.assessment_id), f.token) for f in plans.checklist]
    toggle, single = plans.answers.toggle, plans.answers.singles[:1]
    return {
        "ceiling read": measure_get(served, folder, reads, seconds, connections),
        "ceiling write, 50 answers": measure_patch(
            served, folder, CEILING, toggle, plans.patch, seconds, connections
        ),
        "ceiling write, 1 answer": measure_patch(
            served, folder, CEILING, single * 2, plans.patch, seconds, connections
        ),
    }
