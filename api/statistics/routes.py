"""Statistics for the authority (统计), the region risk ranking (安全风险指数排序) and the
overdue list (超期清单). Every figure is scoped like the lists (``anbiao.api.kernel.access``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import ColumnElement, Select, String, cast, func, literal_column, null, select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.security import requires
from anbiao.api.kernel.access import (
    Columns,
    scope_applications,
    scope_enterprises,
    scope_hazards,
)
from anbiao.api.kernel.listing import (
    FormatQuery,
    Industry,
    Limit,
    Offset,
    Region,
    json_or_csv,
    listing,
)
from anbiao.api.kernel.models import TERMINAL, Application, Enterprise, Hazard, Role, State, User
from anbiao.api.kernel.schemas import Page
from anbiao.api.kernel.workdays import working_days_between
from anbiao.api.statistics.schemas import OverdueOut, RiskRow, StatisticsOut
from anbiao.core.engine import Engine
from anbiao.core.risk import RegionFacts

SubmittedFrom = Annotated[date | None, QueryParameter(name="submittedFrom")]
SubmittedTo = Annotated[date | None, QueryParameter(name="submittedTo")]
Kind = Annotated[
    Literal["application", "hazard"] | None,
    QueryParameter(description="application or hazard; both when absent."),
]


def _prefecture(column: Any) -> ColumnElement[str]:
    return func.substr(column, 1, 4)


@dataclass(frozen=True, slots=True)
class Filters:
    region: str | None = None
    industry: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None

    def enterprises(self, user: User) -> Select[UUID]:
        """Ids of the enterprises in scope (region and industry filters)."""
        query = scope_enterprises(select(Enterprise.id), user)
        if self.region:
            query = query.where(Enterprise.region.startswith(self.region))
        if self.industry:
            query = query.where(Enterprise.industry == self.industry)
        return query

    def applications(self, query: Select[*Columns], user: User) -> Select[*Columns]:
        query = scope_applications(query, user)
        if self.region:
            query = query.where(Application.region.startswith(self.region))
        if self.industry:
            query = query.where(Application.industry == self.industry)
        if self.submitted_from:
            query = query.where(Application.submitted_on >= self.submitted_from)
        if self.submitted_to:
            query = query.where(Application.submitted_on <= self.submitted_to)
        return query


async def _grouped(session: AsyncSession, query: Select[Any, int]) -> dict[str, int]:
    """``{key: count}`` of a two-column (key, count) query, sorted by key."""
    rows = (await session.execute(query)).all()
    return {str(key): int(count) for key, count in sorted(rows, key=lambda r: str(r[0]))}


async def statistics(session: AsyncSession, user: User, f: Filters) -> StatisticsOut:
    count = func.count()

    def by(key: Any) -> Select[Any, int]:
        return f.applications(select(key, count), user).group_by(key)

    region_key = _prefecture(Application.region)
    by_day = await _grouped(
        session, by(Application.submitted_on).where(Application.submitted_on.is_not(None))
    )
    months: Counter[str] = Counter()
    for day, n in by_day.items():
        months[day[:7]] += n
    ent_region = _prefecture(Enterprise.region)
    enterprises = await _grouped(
        session,
        select(ent_region, count)
        .where(Enterprise.id.in_(f.enterprises(user)))
        .group_by(ent_region),
    )
    hazards = await _grouped(
        session,
        scope_hazards(select(Hazard.level, count), user)
        .where(Hazard.state != "closed", Hazard.enterprise_id.in_(f.enterprises(user)))
        .group_by(Hazard.level),
    )
    hazards = {"general": 0, "major": 0} | hazards
    by_state = await _grouped(session, by(Application.state))
    return StatisticsOut(
        scope=user.region_prefix,
        applications=sum(by_state.values()),
        applications_by_region=await _grouped(session, by(region_key)),
        applications_by_industry=await _grouped(session, by(Application.industry)),
        applications_by_state=by_state,
        applications_by_month=dict(sorted(months.items())),
        enterprises=sum(enterprises.values()),
        enterprises_by_region=enterprises,
        open_hazards=sum(hazards.values()),
        open_hazards_by_level=hazards,
    )


def _flat(stats: StatisticsOut) -> list[dict[str, Any]]:
    """(dimension, key, count) rows of every breakdown, for the CSV export."""
    return [
        {"dimension": name, "key": key, "count": n}
        for name, value in stats.model_dump().items()
        if isinstance(value, dict)
        for key, n in value.items()
    ]


async def region_facts(
    session: AsyncSession, user: User, f: Filters, today: date
) -> dict[str, RegionFacts]:
    """The facts of every prefecture in scope (by the enterprises' current region)."""
    scope = f.enterprises(user)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    region_of = await _count_enterprises(session, scope, counts)
    await _count_hazards(session, scope, region_of, counts, today)
    percentages = await _count_applications(session, scope, region_of, counts)
    return {
        region: RegionFacts(
            **c,
            average_percentage=(
                round(sum(percentages[region]) / len(percentages[region]), 1)
                if percentages[region]
                else None
            ),
        )
        for region, c in sorted(counts.items())
    }


async def _count_enterprises(
    session: AsyncSession, scope: Select[UUID], counts: dict[str, Counter[str]]
) -> dict[UUID, str]:
    """Enterprises and those with a fatal accident in 12 months; returns each one's prefecture."""
    enterprises = (
        await session.execute(
            select(Enterprise.id, Enterprise.region, Enterprise.profile).where(
                Enterprise.id.in_(scope)
            )
        )
    ).all()
    for e in enterprises:
        counts[e.region[:4]]["enterprises"] += 1
        if int((e.profile.get("accidents_12m") or {}).get("deaths", 0)) > 0:
            counts[e.region[:4]]["fatal_accidents_12m"] += 1
    return {e.id: e.region[:4] for e in enterprises}


async def _count_hazards(
    session: AsyncSession,
    scope: Select[UUID],
    region_of: dict[UUID, str],
    counts: dict[str, Counter[str]],
    today: date,
) -> None:
    """Open hazards by level, and those past their deadline."""
    hazards = await session.execute(
        select(Hazard.enterprise_id, Hazard.level, Hazard.deadline).where(
            Hazard.state != "closed", Hazard.enterprise_id.in_(scope)
        )
    )
    for h in hazards:
        if h.enterprise_id not in region_of:  # registered after the first query
            continue
        c = counts[region_of[h.enterprise_id]]
        c["open_major_hazards" if h.level == "major" else "open_general_hazards"] += 1
        if h.deadline is not None and h.deadline < today:
            c["overdue_hazards"] += 1


async def _count_applications(
    session: AsyncSession,
    scope: Select[UUID],
    region_of: dict[UUID, str],
    counts: dict[str, Counter[str]],
) -> dict[str, list[float]]:
    """Applications, certified enterprises and failed vetoes; returns the self-assessment
    percentages of each prefecture's latest submitted applications."""
    applications = await session.execute(
        select(
            Application.enterprise_id,
            Application.state,
            Application.submitted_on,
            Application.self_result,
            Application.review_result,
        )
        .where(Application.enterprise_id.in_(scope))
        .order_by(Application.created_at, Application.id)
    )
    latest: dict[Any, Any] = {}  # enterprise → its latest submitted application
    certified: set[Any] = set()
    for a in applications:
        if a.enterprise_id not in region_of:
            continue
        counts[region_of[a.enterprise_id]]["applications"] += 1
        if a.state == State.certified:
            certified.add(a.enterprise_id)
        if a.submitted_on is not None:
            latest[a.enterprise_id] = a
    percentages: dict[str, list[float]] = defaultdict(list)
    for enterprise_id in certified:
        counts[region_of[enterprise_id]]["certified"] += 1
    for enterprise_id, a in latest.items():
        region = region_of[enterprise_id]
        if (a.review_result or a.self_result).get("vetoes"):
            counts[region]["vetoes_failed"] += 1
        if (pct := a.self_result.get("percentage")) is not None:
            percentages[region].append(float(pct))
    return percentages


def rank(indexed: list[tuple[str, float | None, RegionFacts]]) -> list[RiskRow]:
    """Highest index first (ties share a rank, then by code); regions without an index last."""
    ordered = sorted(indexed, key=lambda r: (r[1] is None, -(r[1] or 0.0), r[0]))
    rows: list[RiskRow] = []
    for position, (region, index, facts) in enumerate(ordered, start=1):
        same = bool(rows) and index is not None and rows[-1].index == index
        place = None if index is None else rows[-1].rank if same else position
        rows.append(RiskRow(rank=place, region=region, index=index, facts=facts))
    return rows


def _overdue_query(user: User, today: date, kind: str | None, region: str | None) -> Select[Any]:
    """Applications and open hazards past their deadline, as one union of uniform rows."""
    live = [s.value for s in TERMINAL]
    apps = scope_applications(
        select(
            literal_column("'application'", String).label("kind"),
            Application.id.label("id"),
            Application.enterprise_id.label("enterprise_id"),
            Application.region.label("region"),
            Application.state.label("state"),
            cast(null(), String(16)).label("level"),
            Application.due_on.label("due_on"),
        ),
        user,
    ).where(
        Application.due_on.is_not(None), Application.due_on < today, Application.state.not_in(live)
    )
    hazards = scope_hazards(
        select(
            literal_column("'hazard'", String).label("kind"),
            Hazard.id.label("id"),
            Hazard.enterprise_id.label("enterprise_id"),
            Enterprise.region.label("region"),
            Hazard.state.label("state"),
            Hazard.level.label("level"),
            Hazard.deadline.label("due_on"),
        ).join(Enterprise, Enterprise.id == Hazard.enterprise_id),
        user,
    ).where(Hazard.deadline.is_not(None), Hazard.deadline < today, Hazard.state != "closed")
    if region:
        apps = apps.where(Application.region.startswith(region))
        hazards = hazards.where(Enterprise.region.startswith(region))
    parts = [q for k, q in (("application", apps), ("hazard", hazards)) if kind in (None, k)]
    union = (parts[0].union_all(*parts[1:]) if len(parts) > 1 else parts[0]).subquery()
    return select(union).order_by(union.c.due_on, union.c.kind, union.c.id)


async def risk_ranking(
    session: AsyncSession, user: User, f: Filters, today: date, engine: Engine
) -> list[RiskRow]:
    """Prefectures in scope ranked by the ``region_risk_index`` hook."""
    facts = await region_facts(session, user, f, today)
    hook = engine.pm.hook.region_risk_index
    return rank([(code, _number(hook(region=code, facts=v)), v) for code, v in facts.items()])


async def overdue_page(
    session: AsyncSession,
    user: User,
    today: date,
    kind: str | None,
    region: str | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """A page of overdue applications and hazards with the delay in working days."""
    query = _overdue_query(user, today, kind, region)
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.execute(query.limit(limit).offset(offset))).all()
    items = [
        {
            **row._asdict(),
            "working_days_overdue": working_days_between(row.due_on, today),
            "calendar_days_overdue": (today - row.due_on).days,
        }
        for row in rows
    ]
    return {"items": items, "total": int(total or 0), "limit": limit, "offset": offset}


class StatisticsController(Controller):
    path = "/api/v1"
    tags = ("statistics",)

    @get("/statistics", operation_id="getStatistics", guards=[requires(Role.admin)])
    async def get_statistics(
        self,
        request: Request[User, Any, Any],
        db_session: NamedDependency[AsyncSession],
        region: Region = None,
        industry: Industry = None,
        submitted_from: SubmittedFrom = None,
        submitted_to: SubmittedTo = None,
        fmt: FormatQuery = "json",
    ) -> StatisticsOut:
        """Applications by prefecture, industry, state and month; enterprises by prefecture;
        open hazards by level. Date filters apply to applications only."""
        f = Filters(region, industry, submitted_from, submitted_to)
        stats = await statistics(db_session, request.user, f)
        return json_or_csv(stats, fmt, _flat, "statistics")

    @get("/statistics/risk-ranking", operation_id="getRiskRanking", guards=[requires(Role.admin)])
    async def risk_ranking(
        self,
        request: Request[User, Any, Any],
        db_session: NamedDependency[AsyncSession],
        region: Region = None,
        industry: Industry = None,
        fmt: FormatQuery = "json",
    ) -> list[RiskRow]:
        """Prefectures ranked by the safety risk index (hook ``region_risk_index``)."""
        rows = await risk_ranking(
            db_session,
            request.user,
            Filters(region, industry),
            request.app.state.clock(),
            request.app.state.engine,
        )
        return json_or_csv(rows, fmt, _ranking_rows, "risk-ranking")

    @get("/overdue", operation_id="listOverdue")
    async def overdue(
        self,
        request: Request[User, Any, Any],
        db_session: NamedDependency[AsyncSession],
        kind: Kind = None,
        region: Region = None,
        limit: Limit = 50,
        offset: Offset = 0,
        fmt: FormatQuery = "json",
    ) -> Page[OverdueOut]:
        """Applications and open hazards past their deadline, most overdue first, with the
        delay in Chinese working days. Admins: their region; reviewers: their assignments;
        enterprises: their own."""
        data = await overdue_page(
            db_session, request.user, request.app.state.clock(), kind, region, limit, offset
        )
        return listing(data, Page[OverdueOut], fmt, "overdue")


def _ranking_rows(rows: list[RiskRow]) -> list[dict[str, Any]]:
    return [
        {"rank": r.rank, "region": r.region, "index": r.index, **r.model_dump(mode="json")["facts"]}
        for r in rows
    ]


def _number(value: Any) -> float | None:
    """A plugin's answer as a float (None stays None)."""
    return None if value is None else float(value)
