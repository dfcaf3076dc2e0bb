"""Shared pieces of the route modules: dependencies, paging, CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, TypeAlias, TypeVar, cast

from litestar import Response
from litestar.params import QueryParameter
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.kernel.limits import INT_MAX, PAGE_MAX
from anbiao.api.kernel.models import Event
from anbiao.api.kernel.schemas import EventOut, Page

Format = Literal["json", "csv"]
Limit: TypeAlias = Annotated[int, QueryParameter(ge=1, le=PAGE_MAX, description="Page size.")]
Offset: TypeAlias = Annotated[int, QueryParameter(ge=0, le=INT_MAX, description="Rows to skip.")]
FormatQuery: TypeAlias = Annotated[
    Format, QueryParameter(name="format", description="json, or csv for a download.")
]
Region: TypeAlias = Annotated[
    str | None, QueryParameter(pattern=r"^\d{2,6}$", description="Region code prefix.")
]
Industry: TypeAlias = Annotated[str | None, QueryParameter(max_length=64)]
T = TypeVar("T")
P = TypeVar("P", bound=Page[Any])


async def page(
    session: AsyncSession,
    query: Select[Any],
    limit: int,
    offset: int,
    to_item: Callable[[Any], BaseModel | dict[str, Any]],
) -> dict[str, Any]:
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.scalars(query.limit(limit).offset(offset))).all()
    return {
        "items": [to_item(r) for r in rows],
        "total": int(total or 0),
        "limit": limit,
        "offset": offset,
    }


def listing(data: dict[str, Any], schema: type[P], fmt: Format, name: str) -> P:
    """A validated page as JSON, or its items as a CSV download."""
    result = schema.model_validate(data)
    return json_or_csv(result, fmt, lambda p: [i.model_dump(mode="json") for i in p.items], name)


def json_or_csv(
    value: T, fmt: Format, rows: Callable[[T], Sequence[dict[str, Any]]], name: str
) -> T:
    """``value`` for JSON, else ``rows(value)`` as a CSV download. Handlers declare the JSON shape,
    which the OpenAPI schema documents; Litestar sends a returned Response as it is, so the
    download stands in for the value here (the one place the declared type is not the sent one).
    """
    if fmt == "json":
        return value
    return cast(T, csv_response(rows(value), name))


def csv_response(rows: Sequence[dict[str, Any]], name: str) -> Response[str]:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    k: v if isinstance(v, str | int | float | None) else str(v)
                    for k, v in row.items()
                }
            )
    return Response(
        "\ufeff" + buffer.getvalue(),  # BOM: Excel opens UTF-8 Chinese correctly
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


async def audit_trail(
    session: AsyncSession, condition: Any, limit: int, offset: int, fmt: Format
) -> Page[EventOut]:
    """A page of audit events (oldest first) matching ``condition``."""
    query = select(Event).where(condition).order_by(Event.id)
    data = await page(session, query, limit, offset, EventOut.model_validate)
    return listing(data, Page[EventOut], fmt, "events")
