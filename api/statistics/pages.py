"""Authority (admin) pages: statistics with the region risk ranking, the overdue list."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.sessions import ADMIN
from anbiao.api.applications.review_pages import (
    RegionQuery,
    TextQuery,
)
from anbiao.api.kernel.i18n import negotiate, t
from anbiao.api.kernel.models import User
from anbiao.api.kernel.pages import catalog_choices, page
from anbiao.api.statistics.routes import Filters, overdue_page, risk_ranking, statistics
from anbiao.core.engine import Engine


def _bars(counts: dict[str, int]) -> list[tuple[str, int, float]]:
    """(key, count, share of the largest in %) for a bar chart, largest first."""
    top = max(counts.values(), default=0) or 1
    return [
        (k, n, round(100 * n / top, 1))
        for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@get("/admin/statistics", guards=ADMIN)
async def statistics_page(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
    region: RegionQuery = None,
    industry: TextQuery = None,
) -> Template:
    """Counts by region, industry, state and month as bar charts; the region risk ranking."""
    f, lang = Filters(region or None, industry or None), negotiate(request)
    stats = await statistics(db_session, viewer, f)
    ranking = await risk_ranking(db_session, viewer, f, request.app.state.clock(), engine)
    top = max((r.index or 0 for r in ranking), default=0) or 1
    return page(
        request,
        "admin/statistics.html",
        stats=stats,
        ranking=ranking,
        top=top,
        charts=[
            (t(lang, "按地区"), _bars(stats.applications_by_region), "code"),
            (t(lang, "按行业"), _bars(stats.applications_by_industry), "industry"),
            (t(lang, "按状态"), _bars(stats.applications_by_state), "state"),
            (t(lang, "按月份"), sorted(_bars(stats.applications_by_month)), "code"),
        ],
        filters={"region": region or "", "industry": industry or ""},
        **catalog_choices(engine),
    )


@get("/admin/overdue", guards=ADMIN)
async def overdue(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    region: RegionQuery = None,
) -> Template:
    """Applications and hazards past their deadlines, most overdue first."""
    data = await overdue_page(
        db_session, viewer, request.app.state.clock(), None, region or None, 200, 0
    )
    return page(request, "admin/overdue.html", data=data, region=region or "")


HANDLERS = [statistics_page, overdue]
