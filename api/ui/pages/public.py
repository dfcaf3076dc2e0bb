"""Pages anyone may open: home, sign-in, enterprise sign-up, language, certificate check."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from anbiao.api import services
from anbiao.api.db import Role
from anbiao.api.routes.certificates import certificate_check
from anbiao.api.schemas import SignUp
from anbiao.api.security import authenticate
from anbiao.api.ui import i18n
from anbiao.api.ui.auth import session_role, sign_in, sign_out
from anbiao.api.ui.forms import error_lines, form_data, profile_from_form, validate
from anbiao.api.ui.render import page, see_other
from anbiao.core.engine import Engine
from anbiao.core.models.profile import Profile
from anbiao.core.size_class import SizeSector
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

NextPath = Annotated[str | None, QueryParameter(name="next", max_length=500)]
HOME = {Role.enterprise: "/enterprise", Role.reviewer: "/review", Role.admin: "/admin"}


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a local path: never redirect a user to another site after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return default
    return target


def catalog_choices(engine: Engine) -> dict[str, Any]:
    catalog = engine.catalog
    return {"industries": sorted(catalog.industries.values(), key=lambda i: i.id),
            "hazard_flags": sorted(catalog.hazards.values(), key=lambda h: h.id),
            "size_sectors": [s.value for s in SizeSector]}


@get("/", name="ui:home")
async def home(request: Request[Any, Any, Any]) -> Template | Redirect:
    role = session_role(request)
    if role:
        return see_other(HOME[Role(role)])
    return page(request, "public/home.html")


@get("/login", name="ui:login")
async def login_form(request: Request[Any, Any, Any], next_: NextPath = None) -> Template:
    return page(request, "public/login.html", next=safe_next(next_, ""), errors=[])


@post("/login", status_code=303)
async def login(request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
                ) -> Template | Redirect:
    form = await form_data(request)
    lang = i18n.negotiate(request)
    try:
        user = await authenticate(db_session, request.app.state.settings,
                                  str(form.get("email", "")), str(form.get("password", "")))
    except NotAuthorizedException as exc:
        return page(request, "public/login.html", status_code=401, next=form.get("next", ""),
                    email=form.get("email", ""), errors=[i18n.bilingual(str(exc.detail), lang)])
    sign_in(request, user)
    return see_other(safe_next(form.get("next"), HOME[Role(user.role)]))


@post("/logout", status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    sign_out(request)
    return see_other("/")


@get("/signup", name="ui:signup")
async def signup_form(request: Request[Any, Any, Any], engine: NamedDependency[Engine]) -> Template:
    return page(request, "public/signup.html", form={}, errors=[], **catalog_choices(engine))


@post("/signup", status_code=303)
async def signup(request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                 engine: NamedDependency[Engine]) -> Template | Redirect:
    form = await form_data(request)
    lang = i18n.negotiate(request)
    data = {"email": form.get("email", ""), "password": form.get("password", ""),
            "name": form.get("name", ""), "consultant": form.get("consultant", ""),
            "profile": profile_from_form(form)}
    body, errors = validate(SignUp, data, lang)
    if body is not None:
        try:
            user = await services.sign_up(db_session, engine, body)
        except (services.Rejected, services.Conflict) as exc:
            errors = error_lines(exc, lang)
        else:
            await db_session.commit()
            sign_in(request, user)
            return see_other("/enterprise")
    return page(request, "public/signup.html", status_code=422, form=form, errors=errors,
                **catalog_choices(engine))


@post("/profile/check")
async def profile_check(request: Request[Any, Any, Any], engine: NamedDependency[Engine]
                        ) -> Template:
    """Live check of a profile form: field errors, warnings and the size class (htmx)."""
    form = await form_data(request)
    lang = i18n.negotiate(request)
    profile, errors = validate(Profile, profile_from_form(form), lang)
    warnings: list[str] = []
    size = None
    if profile is not None:
        issues = engine.check_profile(profile)
        errors = [f"{i.field}: {i18n.bilingual(i.message, lang)}" for i in issues
                  if i.severity == "error"]
        warnings = [i18n.bilingual(i.message, lang) for i in issues if i.severity != "error"]
        size = profile.size_class().value
    return page(request, "shared/profile_check.html", errors=errors, warnings=warnings, size=size)


@get("/lang/{code:str}", status_code=303)
async def choose_language(code: FromPath[str], next_: NextPath = None) -> Redirect:
    response = see_other(safe_next(next_))
    if code in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, code, max_age=365 * 24 * 3600, samesite="lax",
                            httponly=True)
    return response


@get("/verify", name="ui:verify")
async def verify_form(
    request: Request[Any, Any, Any],
    number: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Redirect | Template:
    if number and number.strip():
        return see_other(f"/verify/{number.strip()}")
    return page(request, "public/verify.html", check=None, number="")


@get("/verify/{number:str}")
async def verify(request: Request[Any, Any, Any], number: FromPath[str],
                 db_session: NamedDependency[AsyncSession]) -> Template:
    """Public certificate verification: validity, grade, status and the enterprise name only."""
    check = await certificate_check(db_session, number, request.app.state.clock())
    return page(request, "public/verify.html", status_code=200 if check else 404, check=check,
                number=number)


HANDLERS = [home, login_form, login, logout, signup_form, signup, profile_check, choose_language,
            verify_form, verify]
