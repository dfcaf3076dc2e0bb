"""The test's side of the cluster: API calls through nginx that know which host answered, and
direct reads of the shared database."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from scaleout.cluster import Cluster
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from support import uscc
from support_api import Api, add_user, answer_all

from anbiao.api.kernel.db import db_config
from anbiao.api.kernel.models import Role
from anbiao.api.kernel.settings import Settings

REGION = "350102"


class Proxy(Api):
    """``support_api.Api`` through nginx; ``answered`` lists the host of every response."""

    def __init__(self, cluster: Cluster) -> None:
        self.by_upstream = {host.upstream: name for name, host in cluster.hosts.items()}
        self.database_url = cluster.database_url
        self.answered: list[str] = []
        client = httpx.Client(
            base_url=cluster.proxy, timeout=60, event_hooks={"response": [self._note]}
        )
        super().__init__(client, clock=None)  # type: ignore[arg-type]

    def host_of(self, response: httpx.Response) -> str:
        """The host that answered (the last upstream nginx tried), "" if none did."""
        tried = response.headers.get("x-upstream", "").split(",")
        return self.by_upstream.get(tried[-1].strip(), "")

    def _note(self, response: httpx.Response) -> None:
        self.answered.append(self.host_of(response))

    def on(self, host: str, method: str, path: str, as_: str, **kw: Any) -> httpx.Response:
        """A request on ``host``: nginx alternates the hosts (one worker, round-robin), so
        after a request answered by the other host the next one goes to ``host`` (checked)."""
        headers = self.login(as_)
        for _ in range(3):
            if self.host_of(self.client.get("/health")) != host:
                break
        response = self.client.request(method, path, headers=headers, **kw)
        assert self.host_of(response) == host, f"{method} {path} went to {self.answered[-1]}"
        return response

    @staticmethod
    def other(host: str) -> str:
        return "b" if host == "a" else "a"

    def fresh(self) -> httpx.Client:
        """Another client (own connections and cookies) for a thread or a browser."""
        return httpx.Client(
            base_url=str(self.client.base_url), timeout=60, event_hooks={"response": [self._note]}
        )


def enterprise(proxy: Proxy, n: int) -> tuple[str, dict[str, Any]]:
    """A new enterprise (e-mail ``ent<n>@fz.cn``) and its self-assessment, all items answered."""
    email = f"ent{n}@fz.cn"
    me = proxy.signup(email, region=REGION, uscc=uscc(REGION, n), name=f"福州企业{n}")
    path = f"/api/v1/enterprises/{me['enterprise_id']}/assessments"
    assessment = proxy.call("POST", path, email, expect=201)
    return email, assessment | {"version": answer_all(proxy, email, assessment)["version"]}


def sql(url: str, statement: str, **params: Any) -> list[Any]:
    """Rows of one statement on the shared database (committed)."""

    async def go() -> list[Any]:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                result = await connection.execute(text(statement), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(go())


def create_authority(url: str) -> None:
    """The authority of Fuzhou and two reviewers (as ``anbiao users create`` makes them)."""
    reviewer = {"region_prefix": "35", "domains": ["machinery"]}
    accounts = [
        ("admin@fz.gov", Role.admin, {"region_prefix": "3501"}),
        ("r1@experts.cn", Role.reviewer, {**reviewer, "employer": "甲咨询"}),
        ("r2@experts.cn", Role.reviewer, {**reviewer, "employer": "乙咨询"}),
    ]

    async def create() -> None:
        config = db_config(Settings(database_url=url))
        for account in accounts:
            await add_user(config, *account)
        await config.get_engine().dispose()

    asyncio.run(create())
