"""Password hashes: argon2id with the parameters of the settings (OWASP's minimum by default);
a hash made with other parameters keeps verifying and is replaced at the next log-in."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from sqlalchemy import select
from support_api import PASSWORD

from anbiao.api.accounts.security import hash_password, verify_password
from anbiao.api.accounts.service import add_user
from anbiao.api.kernel.models import Role, User
from anbiao.api.kernel.settings import Settings

EARLIER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, type=Type.ID)  # 0.x


def test_the_default_parameters_are_at_least_owasps():
    settings = Settings()
    made = hash_password(PASSWORD, settings)
    assert made.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert settings.argon2_memory_kib >= 19 * 1024 and settings.argon2_time_cost >= 2
    assert verify_password(made, PASSWORD) and not verify_password(made, PASSWORD + "x")


def _stored_hash(api, email: str) -> str:
    async def read() -> str:
        async with api.client.app.state.db_config.get_session() as session:
            return await session.scalar(select(User.password_hash).where(User.email == email))

    with api.client.portal() as portal:
        return portal.call(read)


def test_a_hash_with_other_parameters_verifies_and_is_replaced_at_log_in(api):
    async def create() -> None:
        async with api.client.app.state.db_config.get_session() as session:
            await add_user(
                session,
                email="old@fz.gov",
                password_hash=EARLIER.hash(PASSWORD),
                name="old",
                role=Role.admin,
                region_prefix="3501",
            )
            await session.commit()

    with api.client.portal() as portal:
        portal.call(create)
    assert _stored_hash(api, "old@fz.gov").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    wrong = api.client.post(
        "/api/v1/auth/login", json={"email": "old@fz.gov", "password": PASSWORD + "x"}
    )
    assert wrong.status_code == 401
    assert _stored_hash(api, "old@fz.gov").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    api.login("old@fz.gov")  # the old hash still verifies
    renewed = _stored_hash(api, "old@fz.gov")
    assert renewed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(renewed, PASSWORD)
    api.tokens.clear()
    api.login("old@fz.gov")  # and the new one does too; it is not hashed again
    assert _stored_hash(api, "old@fz.gov") == renewed
