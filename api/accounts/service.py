"""Accounts (账户): creating users with argon2 password hashes."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.security import hash_password
from anbiao.api.kernel.errors import Conflict
from anbiao.api.kernel.models import (
    Role,
    User,
)
from anbiao.api.kernel.settings import Settings
from anbiao.core.errors import Message


async def hash_in_thread(password: str, settings: Settings | None = None) -> str:
    """argon2 is slow by design: hash in a thread (the event loop keeps serving) and before the
    transaction begins (on SQLite it would hold the write lock meanwhile)."""
    return await asyncio.to_thread(hash_password, password, settings)


async def create_user(
    session: AsyncSession, *, email: str, password: str, name: str, role: Role, **fields: Any
) -> User:
    return await add_user(
        session,
        email=email,
        password_hash=await hash_in_thread(password),
        name=name,
        role=role,
        **fields,
    )


async def add_user(
    session: AsyncSession, *, email: str, password_hash: str, name: str, role: Role, **fields: Any
) -> User:
    email = email.strip().lower()
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(Message("account.email_taken", {"email": email}))
    user = User(email=email, name=name, role=role.value, password_hash=password_hash, **fields)
    session.add(user)
    await session.flush()
    return user
