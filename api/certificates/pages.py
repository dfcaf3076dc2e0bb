"""Public certificate verification pages (证书查验)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.certificates.routes import certificate_check
from anbiao.api.kernel.pages import page, see_other


@get("/verify", name="ui:verify")
async def verify_form(
    request: Request[Any, Any, Any],
    number: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Redirect | Template:
    if number and number.strip():
        return see_other(f"/verify/{number.strip()}")
    return page(request, "public/verify.html", check=None, number="")


@get("/verify/{number:str}")
async def verify(
    request: Request[Any, Any, Any],
    number: FromPath[str],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    """Public certificate verification: validity, grade, status and the enterprise name only."""
    check = await certificate_check(db_session, number, request.app.state.clock())
    return page(
        request, "public/verify.html", status_code=200 if check else 404, check=check, number=number
    )


HANDLERS = [verify_form, verify]
