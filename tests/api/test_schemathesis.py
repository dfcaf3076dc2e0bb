"""schemathesis over the whole OpenAPI document against a live server, with valid tokens:
no 5xx, no response that violates the schema, every status documented."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient
from schemathesis.checks import negative_data_rejection
from schemathesis.specs.openapi.checks import allow_header_conformance
from support_api import Api, Clock, answer_all, fresh_database, make_app, serve, start

from anbiao.api.kernel.models import Role
from anbiao.core.engine import Engine

TOKENS: dict[str, dict[str, str]] = {}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, core_engine, worker_id) -> Iterator[str]:
    clock = Clock()
    url = fresh_database(tmp_path_factory.mktemp("schemathesis"), f"schemathesis_{worker_id}")
    app = make_app(url, core_engine, clock)
    with TestClient(app) as client:  # creates the tables and seeds users and an enterprise
        api = Api(client, clock)
        api.user("admin@fz.gov", Role.admin, region_prefix="35")
        api.user("r1@x.cn", Role.reviewer, region_prefix="35", domains=["machinery"])
        _, assessment = start(api)
        answer_all(api, "ent@fz.cn", assessment)
        for role, email in (
            ("enterprise", "ent@fz.cn"),
            ("admin", "admin@fz.gov"),
            ("reviewer", "r1@x.cn"),
        ):
            TOKENS[role] = api.login(email)
    served = make_app(url, core_engine, clock)  # a fresh app: its own engine for uvicorn's loop
    with serve(served) as base:
        yield base


# the document as the app serves it (generating it needs no database)
_DOC = make_app("sqlite+aiosqlite://", Engine.from_plugins(load_entrypoints=False), Clock())
schema = schemathesis.openapi.from_dict(TestClient(_DOC).get("/schema/openapi.json").json())


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api(case, base_url):
    for headers in TOKENS.values():  # as each role
        # excluded: Litestar answers OPTIONS per handler, so `Allow` lists only that handler's
        # methods; and like most HTTP APIs we ignore unknown query parameters and headers, which
        # schemathesis counts as "schema-violating data accepted" (typed bodies are checked)
        case.call_and_validate(
            base_url=base_url,
            headers=headers,
            excluded_checks=[allow_header_conformance, negative_data_rejection],
        )
