"""Accounts from the command line and the demo data of ``anbiao serve --demo``."""

from __future__ import annotations

from importlib.resources import files
from uuid import UUID

import yaml
from sqlalchemy import select

from anbiao.api.accounts.service import create_user
from anbiao.api.assessments.saving import save_answers
from anbiao.api.assessments.schemas import AnswersPatch
from anbiao.api.assessments.service import create_assessment
from anbiao.api.enterprises.schemas import SignUp
from anbiao.api.enterprises.service import sign_up
from anbiao.api.kernel.audit import audit
from anbiao.api.kernel.db import db_config
from anbiao.api.kernel.errors import Rejected
from anbiao.api.kernel.models import Enterprise, Role, User
from anbiao.api.kernel.settings import get_settings
from anbiao.core.engine import Engine
from anbiao.core.errors import Message
from anbiao.core.models.profile import Profile

DEMO_PASSWORD = "anbiao-demo-2026"
DEMO_USERS = (
    ("admin@demo.anbiao", "福州市应急管理局（演示）", Role.admin, {"region_prefix": "3501"}),
    (
        "reviewer1@demo.anbiao",
        "评审员 林工（演示）",
        Role.reviewer,
        {
            "region_prefix": "35",
            "domains": ["machinery", "dust_explosion", "confined_space"],
            "employer": "福建安评咨询甲公司",
        },
    ),
    (
        "reviewer2@demo.anbiao",
        "评审员 陈工（演示）",
        Role.reviewer,
        {
            "region_prefix": "35",
            "domains": ["machinery", "light_industry", "commerce_trade"],
            "employer": "福建安评咨询乙公司",
        },
    ),
)


async def create_account(
    *,
    role: str,
    email: str,
    name: str,
    password: str,
    region: str,
    domains: list[str],
    employer: str,
    enterprise_uscc: str,
) -> UUID:
    config = db_config(get_settings())
    async with config.get_session() as session:
        fields: dict[str, object] = {
            "region_prefix": region,
            "domains": domains,
            "employer": employer,
        }
        if role == Role.enterprise:
            enterprise = await session.scalar(
                select(Enterprise).where(Enterprise.uscc == enterprise_uscc.upper())
            )
            if enterprise is None:
                raise Rejected(Message("seed.unknown_enterprise", {"uscc": enterprise_uscc}))
            fields["enterprise_id"] = enterprise.id
        user = await create_user(
            session, email=email, password=password, name=name, role=Role(role), **fields
        )
        audit(session, "user.created", None, after={"email": user.email, "role": role})
        await session.commit()
        return user.id


async def seed_demo() -> list[str]:
    """Idempotent demo data; returns the lines to print (log-ins)."""
    config = db_config(get_settings())
    engine = Engine.from_plugins()
    data = files("anbiao.core") / "data"
    profile = Profile.model_validate(
        yaml.safe_load((data / "demo_profile.yaml").read_text("utf-8"))
    )
    answers = yaml.safe_load((data / "demo_answers.yaml").read_text("utf-8"))
    lines = ["演示账号 / demo log-ins (password for all: " + DEMO_PASSWORD + "):"]
    async with config.get_session() as session:
        for email, name, role, fields in DEMO_USERS:
            if await session.scalar(select(User.id).where(User.email == email)) is None:
                await create_user(
                    session, email=email, password=DEMO_PASSWORD, name=name, role=role, **fields
                )
            lines.append(f"  {role.value:<10} {email}  {name}")
        email = "enterprise@demo.anbiao"
        if await session.scalar(select(User.id).where(User.email == email)) is None:
            signup = SignUp(
                email=email, password=DEMO_PASSWORD, name="企业安全员（演示）", profile=profile
            )
            user = await sign_up(session, engine, signup)
            enterprise = await session.get_one(Enterprise, user.enterprise_id)
            assessment = await create_assessment(session, engine, user, enterprise)
            given = answers["answers"]
            full = {
                i: given.get(i, {"status": answers["default"]})
                for i in engine.compose(profile).items
            }
            patch = AnswersPatch.model_validate({"version": 1, "answers": full})
            await save_answers(await session.connection(), engine, user, assessment.id, patch)
        lines.append(f"  {'enterprise':<10} {email}  {profile.name}")
        await session.commit()
    return lines
