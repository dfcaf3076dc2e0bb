"""``ANBIAO_DATABASE_TRANSACTION_POOLER``: PostgreSQL behind PgBouncer in transaction mode, which
may hand each transaction (and each statement outside one) another server connection."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from support_api import FUZHOU, Api, in_transaction, make_app, start

from anbiao.api.kernel.db import connect_args
from anbiao.api.kernel.settings import Settings

PG = "postgresql+asyncpg://postgres@pgbouncer:6432/anbiao"


def test_asyncpg_keeps_no_statement_behind_a_transaction_pooler():
    assert connect_args(Settings(database_url=PG)) == {}
    found = connect_args(Settings(database_url=PG, database_transaction_pooler=True))
    assert found["statement_cache_size"] == found["prepared_statement_cache_size"] == 0
    names = {found["prepared_statement_name_func"]() for _ in range(100)}
    assert len(names) == 100  # no two statements share a name on a server connection


def test_reads_run_in_a_transaction_behind_a_transaction_pooler(
    database_url, core_engine, clock, monkeypatch
):
    """Statements outside a transaction may each reach another server connection, where the
    statement prepared a moment before does not exist: safe requests read in one transaction,
    and the writes of one statement (a new self-assessment, the answers' save) run in one."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    monkeypatch.setenv("ANBIAO_DATABASE_TRANSACTION_POOLER", "true")
    with TestClient(make_app(database_url, core_engine, clock)) as client:
        api = Api(client, clock)
        _, assessment = start(api, **FUZHOU)
        engine = client.app.state.db_config.get_engine().sync_engine
        with in_transaction(engine) as statements:
            api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", "ent@fz.cn")
            api.call("GET", "/api/v1/auth/me", "ent@fz.cn")
            path = f"/api/v1/enterprises/{assessment['enterprise_id']}/assessments"
            api.call("POST", path, "ent@fz.cn", expect=201)
            api.call(
                "PATCH",
                f"/api/v1/assessments/{assessment['id']}/answers",
                "ent@fz.cn",
                json={"version": 1, "answers": {"base.5-1-1.01": {"status": "compliant"}}},
            )
        assert len(statements) >= 5 and all(statements)
