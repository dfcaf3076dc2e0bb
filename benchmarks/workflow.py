"""The benchmark's client side of the workflow: a counting API client, the enterprises, their
answers, and each step of the workflow as the pages and the API take it."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import lean_client
from servers import SECRET

from anbiao.api.accounts.service import create_user
from anbiao.api.kernel.audit import audit
from anbiao.api.kernel.db import db_config
from anbiao.api.kernel.models import Role
from anbiao.api.kernel.settings import Settings
from anbiao.core.engine import Engine
from anbiao.core.models.profile import Profile

PASSWORD = "correct-horse-battery"
REVIEWERS = 20
BATCH = 50
RETRIES = 5
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


async def save_all(api: Api, firm: Firm, answers: dict[str, Any], size: int = BATCH) -> None:
    """Every answer, in batches of ``size`` (1: each answer on its own, as the pages autosave)."""
    path = f"/api/v1/assessments/{firm.assessment_id}"
    ids = list(answers)
    for start in range(0, len(ids), size):
        batch = {i: answers[i] for i in ids[start : start + size]}
        await api.call(
            "PATCH",
            f"{path}/answers",
            firm.token,
            parse=False,
            body={"version": firm.version, "answers": batch},
        )
        firm.version += 1


async def open_application(api: Api, firm: Firm) -> None:
    out = await api.call(
        "POST", f"/api/v1/assessments/{firm.assessment_id}/applications", firm.token, expect=201
    )
    firm.app = App(out["id"], int(out["version"]))


async def apply(api: Api, firm: Firm) -> None:
    await open_application(api, firm)
    await api.act(firm.token, firm.app, "submit")


def pair(firm: Firm, staff: Staff) -> list[tuple[str, str]]:
    """The two reviewers of a firm, spread evenly."""
    return [staff.reviewers[firm.index % REVIEWERS], staff.reviewers[(firm.index + 1) % REVIEWERS]]


async def assign(api: Api, firm: Firm, staff: Staff) -> None:
    await api.act(
        staff.admin, firm.app, "assign", reviewer_ids=[uid for uid, _ in pair(firm, staff)]
    )


async def accept_and_assign(api: Api, firm: Firm, staff: Staff) -> None:
    await api.act(staff.admin, firm.app, "accept")
    await assign(api, firm, staff)


async def save_review(api: Api, firm: Firm, staff: Staff, k: int, answers: dict[str, Any]) -> None:
    """The ``k``-th reviewer of ``firm`` saves item scores."""
    path = f"/api/v1/applications/{firm.app.id}/review"
    await api.call("PUT", path, pair(firm, staff)[k][1], body={"answers": answers}, parse=False)


async def conclude(api: Api, firm: Firm, staff: Staff) -> None:
    await api.act(pair(firm, staff)[0][1], firm.app, "conclude_pass")


async def review(api: Api, firm: Firm, staff: Staff, reviews: list[dict[str, Any]]) -> None:
    """Both reviewers save their item scores; the first concludes the review as passed."""
    for k, answers in enumerate(reviews):
        await save_review(api, firm, staff, k, answers)
    await conclude(api, firm, staff)


async def login_staff(api: Api) -> Staff:
    admin = await api.login("admin@bench.gov")
    reviewers = []
    for n in range(REVIEWERS):
        token = await api.login(f"r{n}@bench.experts")
        reviewers.append((str((await api.call("GET", "/api/v1/auth/me", token))["id"]), token))
    return Staff(admin, reviewers)


@dataclass(frozen=True, slots=True)
class Answers:
    """The answers every enterprise gives, the reviewers' scores and the load-test sets: two
    50-answer sets that flip the same items, and one single-answer set per item (autosave)."""

    full: dict[str, Any]
    reviews: list[dict[str, Any]]
    toggle: tuple[dict[str, Any], dict[str, Any]]
    singles: list[dict[str, Any]]
    items: list[Any]  # the composed checklist's items (core ``Item``)


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
    singles = [{i.id: {"status": "compliant"}} for i in items]
    return Answers(full, reviews, toggle, singles, items)


@asynccontextmanager
async def api_client(base: str, concurrency: int) -> AsyncIterator[Api]:
    api = Api(base, concurrency)
    try:
        yield api
    finally:
        await api.client.aclose()
