"""Enterprise pages: sign-up, the profile form and the live profile check."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.sessions import ENTERPRISE, sign_in
from anbiao.api.enterprises.schemas import ProfileUpdate, SignUp
from anbiao.api.enterprises.service import sign_up, update_profile
from anbiao.api.kernel import i18n
from anbiao.api.kernel.access import (
    get_enterprise,
)
from anbiao.api.kernel.errors import Conflict, Rejected
from anbiao.api.kernel.forms import error_lines, form_data, profile_from_form, validate
from anbiao.api.kernel.models import (
    User,
)
from anbiao.api.kernel.pages import catalog_choices, page, see_other
from anbiao.core.engine import Engine
from anbiao.core.models.profile import Profile


@get("/signup", name="ui:signup")
async def signup_form(request: Request[Any, Any, Any], engine: NamedDependency[Engine]) -> Template:
    return page(request, "public/signup.html", form={}, errors=[], **catalog_choices(engine))


@post("/signup", status_code=303)
async def signup(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template | Redirect:
    form = await form_data(request)
    lang = i18n.negotiate(request)
    data = {
        "email": form.get("email", ""),
        "password": form.get("password", ""),
        "name": form.get("name", ""),
        "consultant": form.get("consultant", ""),
        "profile": profile_from_form(form),
    }
    body, errors = validate(SignUp, data, lang)
    if body is not None:
        try:
            user = await sign_up(db_session, engine, body)
        except (Rejected, Conflict) as exc:
            errors = error_lines(exc, lang)
        else:
            await db_session.commit()
            sign_in(request, user)
            return see_other("/enterprise")
    return page(
        request,
        "public/signup.html",
        status_code=422,
        form=form,
        errors=errors,
        **catalog_choices(engine),
    )


@post("/profile/check")
async def profile_check(
    request: Request[Any, Any, Any], engine: NamedDependency[Engine]
) -> Template:
    """Live check of a profile form: field errors, warnings and the size class (htmx)."""
    form = await form_data(request)
    lang = i18n.negotiate(request)
    profile, errors = validate(Profile, profile_from_form(form), lang, inside="profile")
    warnings: list[str] = []
    size = None
    if profile is not None:
        issues = engine.check_profile(profile)
        errors = [i18n.message(lang, i.coded) for i in issues if i.severity == "error"]
        warnings = [i18n.message(lang, i.coded) for i in issues if i.severity != "error"]
        size = profile.size_class().value
    return page(request, "shared/profile_check.html", errors=errors, warnings=warnings, size=size)


def profile_form_values(enterprise: Any) -> dict[str, Any]:
    p = enterprise.profile
    accidents = p.get("accidents_12m", {})
    return {
        "enterprise_name": p["name"],
        "uscc": p["uscc"],
        "region": p["region"],
        "industry": p["industry"],
        "hazards": p.get("hazards", []),
        "employees": p["employees"],
        "annual_revenue_10k": p["annual_revenue_10k"],
        "size_sector": p.get("size_sector", "industrial"),
        "deaths": accidents.get("deaths", 0),
        "serious_injuries": accidents.get("serious_injuries", 0),
        "direct_loss_10k": accidents.get("direct_loss_10k", 0),
        "consultant": enterprise.consultant,
        "version": enterprise.version,
    }


@get("/enterprise/profile", guards=ENTERPRISE)
async def profile_form(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template:
    enterprise = await get_enterprise(db_session, viewer, viewer.enterprise_id)
    return page(
        request,
        "enterprise/profile.html",
        form=profile_form_values(enterprise),
        errors=[],
        saved=False,
        **catalog_choices(engine),
    )


@post("/enterprise/profile", guards=ENTERPRISE, status_code=200)
async def save_profile(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[User],
    db_session: NamedDependency[AsyncSession],
    engine: NamedDependency[Engine],
) -> Template:
    """A new profile, with the version read (someone else's change is a conflict, not lost)."""
    enterprise = await get_enterprise(db_session, viewer, viewer.enterprise_id)
    form = await form_data(request)
    lang = i18n.negotiate(request)
    body, errors = validate(
        ProfileUpdate,
        {
            "version": int(form.get("version") or 0),
            "profile": profile_from_form(form),
            "consultant": form.get("consultant", ""),
        },
        lang,
    )
    if body is not None:
        try:
            await update_profile(db_session, engine, viewer, enterprise, body, lang)
        except Rejected as exc:
            errors = error_lines(exc, lang)
        else:
            await db_session.commit()
            return page(
                request,
                "enterprise/profile.html",
                form=profile_form_values(enterprise),
                errors=[],
                saved=True,
                **catalog_choices(engine),
            )
    return page(
        request,
        "enterprise/profile.html",
        status_code=422,
        form=form,
        errors=errors,
        saved=False,
        **catalog_choices(engine),
    )


HANDLERS = [signup_form, signup, profile_check, profile_form, save_profile]
