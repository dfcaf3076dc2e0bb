"""Log-in and the current user (an enterprise signs up in ``anbiao.api.enterprises``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.security.jwt import JWTAuth
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.accounts.schemas import Login, TokenOut, UserOut
from anbiao.api.accounts.security import authenticate
from anbiao.api.kernel.models import User


def issue_token(request: Request[Any, Any, Any], user: User) -> TokenOut:
    auth: JWTAuth[User] = request.app.state.jwt_auth
    token = auth.create_token(identifier=str(user.id), token_extras={"role": user.role})
    return TokenOut(access_token=token, role=user.role, user_id=user.id)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ("auth",)

    @post("/login", operation_id="logIn", exclude_from_auth=True)
    async def log_in(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[Login],
        db_session: NamedDependency[AsyncSession],
    ) -> TokenOut:
        """Exchange e-mail and password for a bearer token (failures lock the account a while)."""
        user = await authenticate(db_session, request.app.state.settings, data.email, data.password)
        return issue_token(request, user)

    @get("/me", operation_id="me")
    async def me(self, request: Request[User, Any, Any]) -> UserOut:
        """The user the token belongs to."""
        return UserOut.model_validate(request.user)
