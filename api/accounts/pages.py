"""Pages anyone may open: home, sign-in and sign-out, the language switch."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.security import authenticate
from anbiao.api.accounts.sessions import session_role, sign_in, sign_out
from anbiao.api.kernel import i18n
from anbiao.api.kernel.forms import form_data
from anbiao.api.kernel.models import Role
from anbiao.api.kernel.pages import NextPath, page, safe_next, see_other

HOME = {Role.enterprise: "/enterprise", Role.reviewer: "/review", Role.admin: "/admin"}


@get("/", name="ui:home")
async def home(request: Request[Any, Any, Any]) -> Template | Redirect:
    role = session_role(request)
    if role:
        return see_other(HOME[Role(role)])
    return page(request, "public/home.html")


@get("/login", name="ui:login")
async def login_form(request: Request[Any, Any, Any], next_: NextPath = None) -> Template:
    return page(request, "public/login.html", next=safe_next(next_, ""), email="", errors=[])


@post("/login", status_code=303)
async def login(
    request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
) -> Template | Redirect:
    form = await form_data(request)
    lang = i18n.negotiate(request)
    try:
        user = await authenticate(
            db_session,
            request.app.state.settings,
            str(form.get("email", "")),
            str(form.get("password", "")),
        )
    except NotAuthorizedException as exc:
        return page(
            request,
            "public/login.html",
            status_code=401,
            next=form.get("next", ""),
            email=form.get("email", ""),
            errors=[i18n.describe(exc, lang)],
        )
    sign_in(request, user)
    return see_other(safe_next(form.get("next"), HOME[Role(user.role)]))


@post("/logout", status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    sign_out(request)
    return see_other("/")


@get("/lang/{code:str}", status_code=303)
async def choose_language(code: FromPath[str], next_: NextPath = None) -> Redirect:
    response = see_other(safe_next(next_))
    if code in i18n.LANGS:
        response.set_cookie(
            i18n.COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True
        )
    return response


HANDLERS = [home, login_form, login, logout, choose_language]
