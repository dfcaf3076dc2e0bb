"""Bearer tokens: a verified token is kept by the worker until it expires (issue 11)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from litestar.security.jwt import Token

from anbiao.api.accounts.security import KeptToken


@pytest.fixture
def decodes(monkeypatch) -> list[str]:
    """The tokens PyJWT verified (signature and claims), in order."""
    seen: list[str] = []
    verify = Token.decode_payload.__func__

    def counted(cls, encoded_token, *args, **kwargs):
        seen.append(encoded_token)
        return verify(cls, encoded_token, *args, **kwargs)

    monkeypatch.setattr(Token, "decode_payload", classmethod(counted))
    monkeypatch.setattr(KeptToken, "_kept", {})
    return seen


def test_a_token_is_verified_once_while_it_is_valid(api, decodes):
    api.signup("ent@fz.cn")
    token = api.tokens["ent@fz.cn"]
    for _ in range(3):
        api.call("GET", "/api/v1/auth/me", "ent@fz.cn")
    assert decodes.count(token) == 1


def test_a_kept_token_is_refused_once_expired_and_a_forged_one_never_kept(api, decodes):
    me = api.signup("ent@fz.cn")
    token = api.tokens["ent@fz.cn"]
    api.call("GET", "/api/v1/auth/me", "ent@fz.cn")
    (key,) = KeptToken._kept
    past = datetime.now(UTC) - timedelta(minutes=1)
    secret = api.client.app.state.settings.secret_key
    claims = {"sub": me["id"], "exp": past, "iat": past - timedelta(hours=1)}
    expired = jwt.encode(claims, secret, "HS256")
    was_valid = copy.copy(KeptToken._kept[key])
    was_valid.exp = past  # kept while it was valid, expired since
    KeptToken._kept[(expired, *key[1:])] = was_valid
    r = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "login.invalid_token"
    assert decodes[-1] == expired  # verified again, and refused by PyJWT
    head, payload, signature = token.split(".")
    forged = ".".join((head, payload, signature[::-1]))
    r = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401
    assert forged not in {k[0] for k in KeptToken._kept}
