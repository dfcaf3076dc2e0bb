"""Service benchmark (issue 4): our endpoints against a bare Litestar endpoint, and the surge.

Run: ``.venv/bin/python benchmarks/bench_service.py [--database sqlite|postgres|both] [--write]``
(needs ``wrk``: ``apt-get install -y wrk``). For each database, in one run:

1. Load: a fresh database is seeded through the API, then one Uvicorn worker is pinned to core 0
   (``taskset -c 0``) and ``wrk -t1 -c64`` pinned to core 1 measures a bare
   ``Litestar(route_handlers=[plain])`` app on the same server, the checklist read, the 50-answer
   batch save and the reviewer queue. Ratios are against the bare endpoint of the same run.
2. Surge: on another fresh database, ``anbiao serve --workers 2`` (unpinned) takes 4,288
   enterprises through the whole workflow — sign-up, self-assessment in batches, application,
   acceptance, assignment, two reviews, conclusion, approval — from 64 concurrent keep-alive
   clients; then the database is checked: every application in ``publicity``, every answer stored as
   sent, the expected audit events.

PostgreSQL runs in a database of its own (``anbiao_bench``), dropped at the end. ``--write``
updates docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import lean_client
from doc_section import write_section
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from anbiao.api.accounts.service import create_user
from anbiao.api.kernel.audit import audit
from anbiao.api.kernel.db import db_config
from anbiao.api.kernel.models import Application, Assessment, Assignment, Event, Role
from anbiao.api.kernel.settings import Settings
from anbiao.core.engine import Engine
from anbiao.core.models.answers import Answer
from anbiao.core.models.profile import Profile

HERE = Path(__file__).parent
LUA = HERE / "wrk_service.lua"
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "anbiao_bench"
SECRET = "bench-secret-key-0123456789abcdef"
PASSWORD = "correct-horse-battery"
REVIEWERS = 20
BATCH = 50
RETRIES = 5
SEED_FIRMS = 160  # load test: 160 applications under review, 16 in each reviewer's queue
QUEUE = "/api/v1/applications/?state=under_review"
PROFILE: dict[str, Any] = {
    "name": "基准企业",
    "region": "350102",
    "industry": "machinery",
    "hazards": ["dust_explosion", "confined_space", "ammonia_refrigeration"],
    "employees": 15,
    "annual_revenue_10k": 800,
}
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
T = TypeVar("T")


# --- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    """Poll ``url`` until it answers 200 (bounded); fail if the server exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling interval, not synchronisation
    raise RuntimeError(f"{url} not ready after {timeout:.0f} s")


@dataclass(frozen=True, slots=True)
class Served:
    base: str  # URL
    session: int  # the server's session id: it and its workers


@contextmanager
def server(
    command: list[str], probe: str, port: int, env: dict[str, str], cwd: Path
) -> Iterator[Served]:
    """Run a server in a session of its own; yield it; stop the session's group afterwards."""
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=cwd, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + probe, process)
        yield Served(base, process.pid)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def anbiao_server(url: str, workers: int, cwd: Path, pin: str | None) -> Any:
    """``anbiao serve`` (migrates, then Uvicorn), optionally pinned with taskset."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "anbiao"),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    env = {
        "ANBIAO_DATABASE_URL": url,
        "ANBIAO_SECRET_KEY": SECRET,
        "ANBIAO_UPLOAD_DIR": str(cwd / "uploads"),
    }
    return server(pinned(command, pin), "/ready", port, env, cwd)


def bare_server(cwd: Path, pin: str) -> Any:
    """The bare app under the same Uvicorn settings as ``anbiao serve`` (one worker)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "--app-dir",
        str(HERE),
        "bare_app:create_app",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    return server(pinned(command, pin), "/plain", port, {}, cwd)


def pinned(command: list[str], cpus: str | None) -> list[str]:
    return ["taskset", "-c", cpus, *command] if cpus else command


# --- databases -----------------------------------------------------------------------------------


async def recreate_pg(base: str, name: str, *, drop_only: bool = False) -> str:
    """Drop and (unless ``drop_only``) create database ``name`` on the server of ``base``."""
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    await admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def fresh_url(database: str, folder: Path, tag: str, pg_base: str) -> str:
    if database == "sqlite":
        return f"sqlite+aiosqlite:///{folder / f'{tag}.sqlite3'}"
    return asyncio.run(recreate_pg(pg_base, PG_BENCH_DB))


async def create_staff(url: str) -> None:
    """The authority of Fuzhou and 20 reviewers, as ``anbiao users create`` makes them."""
    config = db_config(Settings(database_url=url, secret_key=SECRET))
    accounts: list[tuple[str, Role, dict[str, Any]]] = [
        ("admin@bench.gov", Role.admin, {"region_prefix": "3501"})
    ]
    accounts += [
        (
            f"r{n}@bench.experts",
            Role.reviewer,
            {
                "region_prefix": "35",
                "employer": f"咨询{n}",
                "domains": ["machinery", "dust_explosion"],
            },
        )
        for n in range(REVIEWERS)
    ]
    async with config.get_session() as session:
        for email, role, fields in accounts:
            user = await create_user(
                session,
                email=email,
                password=PASSWORD,
                name=email.split("@")[0],
                role=role,
                **fields,
            )
            audit(session, "user.created", None, after={"email": user.email, "role": role.value})
        await session.commit()
    await config.get_engine().dispose()


# --- API client ----------------------------------------------------------------------------------


class Api:
    """A lean keep-alive client (``lean_client``) that counts requests and raises on an
    unexpected status.

    A 500 (e.g. SQLite's "database is locked" after the busy timeout; the transaction was rolled
    back) is counted in ``server_errors`` and retried, at most ``RETRIES`` times per request.
    """

    def __init__(self, base: str, concurrency: int) -> None:
        self.client = lean_client.Client(base, concurrency)
        self.requests = self.server_errors = 0

    async def call(
        self,
        method: str,
        path: str,
        token: str = "",
        expect: int = 200,
        body: Any = None,
        parse: bool = True,
    ) -> Any:
        for _ in range(RETRIES + 1):
            r = await self.client.request(method, path, token, body)
            self.requests += 1
            if r.status != 500:
                break
            self.server_errors += 1
        if r.status != expect:
            raise RuntimeError(f"{method} {path}: {r.status} {r.text[:500]}")
        return r.json() if parse else None

    async def login(self, email: str) -> str:
        token = await self.call(
            "POST", "/api/v1/auth/login", expect=201, body={"email": email, "password": PASSWORD}
        )
        return str(token["access_token"])

    async def act(self, token: str, app: App, action: str, **body: Any) -> None:
        out = await self.call(
            "POST",
            f"/api/v1/applications/{app.id}/actions/{action}",
            token,
            body={"version": app.version, **body},
        )
        app.version = int(out["version"])


@dataclass(slots=True)
class App:
    id: str = ""
    version: int = 0


@dataclass(slots=True)
class Firm:
    """One enterprise of the benchmark and what the client knows of it."""

    index: int
    token: str = ""
    enterprise_id: str = ""
    assessment_id: str = ""
    version: int = 0
    app: App = field(default_factory=App)


@dataclass(frozen=True, slots=True)
class Staff:
    admin: str
    reviewers: list[tuple[str, str]]  # (user id, token)


def uscc(index: int) -> str:
    """A valid USCC (GB 32100 check digit) for enterprise ``index`` in Gulou, Fuzhou."""
    body = f"91350102MA{index:07d}"
    total = sum(USCC_CHARSET.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + USCC_CHARSET[(31 - total % 31) % 31]


async def pool(items: Sequence[T], work: Callable[[T], Awaitable[None]], concurrency: int) -> None:
    """Run ``work`` on every item with at most ``concurrency`` at a time."""
    queue = iter(items)

    async def worker() -> None:
        for item in queue:
            await work(item)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def sign_up(api: Api, firm: Firm) -> None:
    profile = {**PROFILE, "uscc": uscc(firm.index), "name": f"基准企业{firm.index}"}
    body = {
        "email": f"firm{firm.index}@bench.cn",
        "password": PASSWORD,
        "name": "安全员",
        "profile": profile,
    }
    firm.token = (await api.call("POST", "/api/v1/auth/signup", expect=201, body=body))[
        "access_token"
    ]
    firm.enterprise_id = (await api.call("GET", "/api/v1/auth/me", firm.token))["enterprise_id"]


async def new_assessment(api: Api, firm: Firm) -> None:
    out = await api.call(
        "POST", f"/api/v1/enterprises/{firm.enterprise_id}/assessments", firm.token, expect=201
    )
    firm.assessment_id, firm.version = out["id"], int(out["version"])


async def fill(api: Api, firm: Firm, answers: dict[str, Any]) -> None:
    """Read the checklist, then save every answer in batches of 50."""
    await read_checklist(api, firm)
    await save_all(api, firm, answers)


async def read_checklist(api: Api, firm: Firm) -> None:
    await api.call(
        "GET", f"/api/v1/assessments/{firm.assessment_id}/checklist", firm.token, parse=False
    )


async def save_all(api: Api, firm: Firm, answers: dict[str, Any]) -> None:
    """Every answer, in batches of 50."""
    path = f"/api/v1/assessments/{firm.assessment_id}"
    ids = list(answers)
    for start in range(0, len(ids), BATCH):
        batch = {i: answers[i] for i in ids[start : start + BATCH]}
        await api.call(
            "PATCH",
            f"{path}/answers",
            firm.token,
            parse=False,
            body={"version": firm.version, "answers": batch},
        )
        firm.version += 1


async def apply(api: Api, firm: Firm) -> None:
    out = await api.call(
        "POST", f"/api/v1/assessments/{firm.assessment_id}/applications", firm.token, expect=201
    )
    firm.app = App(out["id"], int(out["version"]))
    await api.act(firm.token, firm.app, "submit")


def pair(firm: Firm, staff: Staff) -> list[tuple[str, str]]:
    """The two reviewers of a firm, spread evenly."""
    return [staff.reviewers[firm.index % REVIEWERS], staff.reviewers[(firm.index + 1) % REVIEWERS]]


async def accept_and_assign(api: Api, firm: Firm, staff: Staff) -> None:
    await api.act(staff.admin, firm.app, "accept")
    await api.act(
        staff.admin, firm.app, "assign", reviewer_ids=[uid for uid, _ in pair(firm, staff)]
    )


async def review(api: Api, firm: Firm, staff: Staff, reviews: list[dict[str, Any]]) -> None:
    """Both reviewers save their item scores; the first concludes the review as passed."""
    path = f"/api/v1/applications/{firm.app.id}/review"
    reviewers = pair(firm, staff)
    for (_, token), answers in zip(reviewers, reviews, strict=True):
        await api.call("PUT", path, token, body={"answers": answers}, parse=False)
    await api.act(reviewers[0][1], firm.app, "conclude_pass")


async def login_staff(api: Api) -> Staff:
    admin = await api.login("admin@bench.gov")
    reviewers = []
    for n in range(REVIEWERS):
        token = await api.login(f"r{n}@bench.experts")
        reviewers.append((str((await api.call("GET", "/api/v1/auth/me", token))["id"]), token))
    return Staff(admin, reviewers)


@dataclass(frozen=True, slots=True)
class Answers:
    """The answers every enterprise gives, the reviewers' scores and the load-test sets."""

    full: dict[str, Any]
    reviews: list[dict[str, Any]]
    toggle: tuple[dict[str, Any], dict[str, Any]]


def answer_sets() -> Answers:
    """A fixed realistic mix (mostly compliant, some partial and N/A) that still passes: partial
    answers only where they raise no major hazard (which would block the application)."""
    profile = Profile.model_validate({**PROFILE, "uscc": uscc(0)})
    items = [ci.item for ci in Engine.from_plugins().compose(profile).items.values()]
    minor = [
        i
        for i in items
        if i.deductions and i.veto is None and not i.major_hazard and not i.protective_device
    ]
    rnd = random.Random(7)
    full: dict[str, Any] = {}
    for item in items:
        roll = rnd.random()
        if roll < 0.1 and item in minor:
            full[item.id] = {"status": "partial", "deductions": [item.deductions[0].id]}
        elif roll < 0.15 and item.na_allowed:
            full[item.id] = {"status": "na"}
        else:
            full[item.id] = {"status": "compliant"}
    reviews = [
        {i.id: {"status": "compliant"} for i in items[k * 20 : (k + 1) * 20]} for k in range(2)
    ]
    toggle = (
        {i.id: {"status": "compliant"} for i in minor[:BATCH]},
        {i.id: {"status": "partial", "deductions": [i.deductions[0].id]} for i in minor[:BATCH]},
    )
    return Answers(full, reviews, toggle)


@asynccontextmanager
async def api_client(base: str, concurrency: int):
    api = Api(base, concurrency)
    try:
        yield api
    finally:
        await api.client.aclose()


# --- load test -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plans:
    """Files for wrk_service.lua, and the assessments whose versions the PATCH plan needs."""

    checklist: list[Firm]
    patch: list[Firm]
    queue: list[str]  # reviewer tokens
    toggle: tuple[dict[str, Any], dict[str, Any]]


async def seed_load(base: str, url: str, connections: int) -> Plans:
    """160 applications under review (16 per reviewer); each firm also gets a second, filled
    assessment for the batch save (the first is frozen by its application)."""
    await create_staff(url)
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
    patch = firms[: connections + connections // 2]  # spare assessments beyond one per connection
    return Plans(firms[:connections], patch, [t for _, t in staff.reviewers], answers.toggle)


def write_plan(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / f"{name}.plan"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def current_versions(base: str, firms: list[Firm]) -> None:
    """Read each assessment's version again (an earlier wrk run moved them on). wrk exits
    without waiting for its last responses: read until two reads a second apart agree, so the
    saves still in flight have landed (else the next run starts with stale versions: 409s)."""
    async with api_client(base, 8) as api:

        async def read(firm: Firm) -> None:
            out = await api.call("GET", f"/api/v1/assessments/{firm.assessment_id}", firm.token)
            firm.version = int(out["version"])

        before: list[int] | None = None
        while (now := [f.version for f in firms]) != before:
            before = now
            await asyncio.sleep(1.0)
            await pool(firms, read, 8)


def wrk(base: str, plan: Path, seconds: int, connections: int) -> dict[str, float]:
    """One wrk run pinned to core 1; the figures printed by the script's done()."""
    command = [
        "taskset",
        "-c",
        "1",
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        base,
        "--",
        str(plan),
    ]
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


def measure(base: str, plan: Path, seconds: int, connections: int) -> dict[str, float]:
    wrk(base, plan, 2, connections)  # warm-up: caches, connection pool
    return wrk(base, plan, seconds, connections)


async def patch_plan(base: str, folder: Path, plans: Plans) -> Path:
    await current_versions(base, plans.patch)
    sets = [json.dumps(s, ensure_ascii=False, separators=(",", ":")) for s in plans.toggle]
    lines = ["PATCH", *sets, *(f"{f.assessment_id}\t{f.version}\t{f.token}" for f in plans.patch)]
    return write_plan(folder, "patch", lines)


def load_test(
    database: str, folder: Path, pg_base: str, seconds: int, connections: int
) -> dict[str, dict[str, float]]:
    """Bare endpoint, checklist read, batch save and reviewer queue; one pinned worker."""
    url = fresh_url(database, folder, "load", pg_base)
    results: dict[str, dict[str, float]] = {}
    with bare_server(folder, "0") as served:
        base = served.base
        results["bare"] = measure(
            base, write_plan(folder, "bare", ["GET", "/plain\t"]), seconds, connections
        )
    with anbiao_server(url, 1, folder, "0") as served:
        base = served.base
        plans = asyncio.run(seed_load(base, url, connections))
        reads = [
            f"/api/v1/assessments/{f.assessment_id}/checklist\t{f.token}" for f in plans.checklist
        ]
        checklist = write_plan(folder, "checklist", ["GET", *reads])
        results["checklist"] = measure(base, checklist, seconds, connections)
        wrk(base, asyncio.run(patch_plan(base, folder, plans)), 2, connections)  # warm-up
        results["batch save"] = wrk(
            base, asyncio.run(patch_plan(base, folder, plans)), seconds, connections
        )
        queue = write_plan(folder, "queue", ["GET", *(f"{QUEUE}\t{t}" for t in plans.queue)])
        results["reviewer queue"] = measure(base, queue, seconds, connections)
    return results


# --- surge ---------------------------------------------------------------------------------------


CPU_ROLES = ("service", "database", "client")


def cpu_seconds(service_session: int) -> dict[str, float]:
    """CPU seconds so far of the service (its session's processes), the database server (every
    ``postgres`` process) and this client; read from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys(CPU_ROLES, 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        end = text.rindex(")")
        name, fields = text[text.index("(") + 1 : end], text[end + 2 :].split()
        role = (
            "service"
            if int(fields[3]) == service_session
            else "database"
            if name == "postgres"
            else None
        )
        if role:
            totals[role] += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    totals["client"] = time.process_time()
    return totals


async def surge(served: Served, url: str, enterprises: int, concurrency: int) -> dict[str, Any]:
    """The whole workflow for every enterprise, phase by phase: wall time and CPU per phase."""
    await create_staff(url)
    phases: dict[str, float] = {}
    cpu: dict[str, dict[str, float]] = {}
    async with api_client(served.base, concurrency) as api:
        staff = await login_staff(api)
        firms = [Firm(i) for i in range(enterprises)]

        async def timed(name: str, work: Callable[[Firm], Awaitable[None]]) -> None:
            start, before = time.perf_counter(), cpu_seconds(served.session)
            await pool(firms, work, concurrency)
            phases[name] = time.perf_counter() - start
            after = cpu_seconds(served.session)
            cpu[name] = {role: after[role] - before[role] for role in CPU_ROLES}

        await timed("sign-up (argon2)", lambda f: sign_up(api, f))
        answers = answer_sets()

        async def begin(firm: Firm) -> None:
            await new_assessment(api, firm)
            await read_checklist(api, firm)

        await timed("new self-assessment, checklist read", begin)
        await timed(
            f"{-(-len(answers.full) // BATCH)} batch saves",
            lambda f: save_all(api, f, answers.full),
        )
        await timed("application and submission", lambda f: apply(api, f))
        await timed("acceptance and assignment", lambda f: accept_and_assign(api, f, staff))
        await timed("two reviews and conclusion", lambda f: review(api, f, staff, answers.reviews))
        await timed("approval", lambda f: api.act(staff.admin, f.app, "approve"))
        requests, errors = api.requests, api.server_errors
    checks = await verify(url, enterprises, answers)
    return {
        "phases": phases,
        "cpu": cpu,
        "requests": requests,
        "server_errors": errors,
        "checks": checks,
        "items": len(answers.full),
        "batches": -(-len(answers.full) // BATCH),
    }


def canonical(answers: dict[str, Any]) -> str:
    """Answers as the server stores them (defaults dropped), as sorted JSON."""
    stored = {
        k: Answer.model_validate(v).model_dump(mode="json", exclude_defaults=True)
        for k, v in answers.items()
    }
    return json.dumps(stored, sort_keys=True)


async def verify(url: str, enterprises: int, answers: Answers) -> dict[str, Any]:
    """Count what the database holds against what the clients sent."""
    config = db_config(Settings(database_url=url, secret_key=SECRET))
    batches = -(-len(answers.full) // BATCH)
    per_firm = {
        "enterprise.registered": 1,
        "assessment.created": 1,
        "assessment.answers_saved": batches,
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


def run_surge(
    database: str, folder: Path, pg_base: str, enterprises: int, workers: int, concurrency: int
) -> dict[str, Any]:
    url = fresh_url(database, folder, "surge", pg_base)
    with anbiao_server(url, workers, folder, None) as served:
        return asyncio.run(surge(served, url, enterprises, concurrency))


# --- report --------------------------------------------------------------------------------------

GOALS = {"checklist": 0.25, "batch save": 0.10, "reviewer queue": 0.25}
LABELS = {
    "bare": "bare `GET /plain` (same server)",
    "checklist": "checklist read `GET /assessments/{id}/checklist`",
    "batch save": "batch save `PATCH /assessments/{id}/answers`, 50 answers",
    "reviewer queue": "reviewer queue `GET /applications/?state=under_review`",
}


def load_table(results: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    rows = [
        "| database | endpoint | requests/s | p50 | p99 | non-2xx | ratio to bare | goal |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for database, endpoints in results.items():
        bare = endpoints["bare"]["rps"]
        for name, r in endpoints.items():
            ratio = r["rps"] / bare
            goal = GOALS.get(name)
            verdict = "" if goal is None else f"≥ {goal:.0%} {'met' if ratio >= goal else 'missed'}"
            errors = int(r["non2xx"] + r["socket_errors"])
            rows.append(
                f"| {database} | {LABELS[name]} | {r['rps']:,.0f} | {r['p50']:.1f} ms | "
                f"{r['p99']:.1f} ms | {errors} | {ratio:.1%} | {verdict} |"
            )
    return rows


def surge_table(results: dict[str, dict[str, Any]], enterprises: int) -> list[str]:
    rows = [
        (
            "| database | wall time | of it sign-up (argon2) | without sign-up | requests | "
            "requests/s | 500s, retried | checks |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for database, r in results.items():
        total = sum(r["phases"].values())
        signup = r["phases"]["sign-up (argon2)"]
        c = r["checks"]
        ok = (
            c["publicity"] == c["applications"] == enterprises
            and c["answers_exact"]
            and c["reviews_exact"]
            and c["events_exact"]
            and c["answers_stored"] == c["answers_sent"]
        )
        checks = (
            f"{'all passed' if ok else 'FAILED'}: {c['publicity']:,} of "
            f"{c['applications']:,} in publicity; answers {c['answers_stored']:,} stored / "
            f"{c['answers_sent']:,} sent; events {c['events']:,} / "
            f"{c['events_expected']:,} expected"
        )
        rows.append(
            f"| {database} | **{total:.1f} s** | {signup:.1f} s | {total - signup:.1f} s | "
            f"{r['requests']:,} | {r['requests'] / total:,.0f} | {r['server_errors']:,} | "
            f"{checks} |"
        )
    return rows


def phase_table(results: dict[str, dict[str, Any]]) -> list[str]:
    """Wall time and CPU seconds of each phase: service workers, database server, client."""
    rows = [
        "| database | phase | wall | CPU: service | CPU: database server | CPU: client |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for database, r in results.items():
        for name, wall in r["phases"].items():
            used = r["cpu"][name]
            rows.append(
                f"| {database} | {name} | {wall:.1f} s | {used['service']:.1f} s | "
                f"{used['database']:.1f} s | {used['client']:.1f} s |"
            )
    return rows


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--postgres-url", default=PG_URL, help=f"server to create the '{PG_BENCH_DB}' database on"
    )
    parser.add_argument(
        "--seconds", type=int, default=10, help="wrk duration per endpoint (0: skip the load test)"
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--enterprises", type=int, default=4288, help="surge size (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="server workers in the surge")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")

    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    before = load_average()
    load: dict[str, dict[str, dict[str, float]]] = {}
    surges: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="anbiao-bench-") as tmp:
        folder = Path(tmp)
        try:
            for database in databases:
                if args.seconds:
                    load[database] = load_test(
                        database, folder, args.postgres_url, args.seconds, args.connections
                    )
                    print("\n".join(load_table({database: load[database]})), flush=True)
                if args.enterprises:
                    surges[database] = run_surge(
                        database,
                        folder,
                        args.postgres_url,
                        args.enterprises,
                        args.workers,
                        args.connections,
                    )
                    print(
                        "\n".join(surge_table({database: surges[database]}, args.enterprises)),
                        flush=True,
                    )
        finally:
            if "postgres" in databases:
                asyncio.run(recreate_pg(args.postgres_url, PG_BENCH_DB, drop_only=True))

    report = [
        (
            f"Measured {time.strftime('%Y-%m-%d %H:%M')} with `python benchmarks/bench_service.py "
            f"--database {args.database} --enterprises {args.enterprises} --write` on "
            f"{os.cpu_count()} cores; load average (1 / 5 / 15 min) {before} before the run, "
            f"{load_average()} after it (other sessions share the machine)."
        ),
        "",
        (
            f"Load: one Uvicorn worker pinned to core 0, `wrk -t1 -c{args.connections} "
            f"-d{args.seconds}s` pinned to core 1."
        ),
        "",
        *load_table(load),
    ]
    if surges:
        first = next(iter(surges.values()))
        report += [
            "",
            (
                f"Surge: {args.enterprises:,} enterprises × {first['items']} items "
                f"({first['batches']} batches of ≤ {BATCH}), {REVIEWERS} reviewers, "
                f"`anbiao serve --workers {args.workers}` (unpinned), {args.connections} "
                "concurrent keep-alive clients (`benchmarks/lean_client.py`) on the same "
                "machine."
            ),
            "",
            *surge_table(surges, args.enterprises),
            "",
            "Phases, with the CPU seconds each part used (2 cores give at most twice the wall):",
            "",
            *phase_table(surges),
        ]
    table = "\n".join(report)
    print(table)
    if args.write:
        write_section("service", table)


if __name__ == "__main__":
    main()
