"""schemathesis over every operation of the OpenAPI document against a live server, with valid
data and with negative data (its coverage phase: boundary and invalid values of every parameter
and body field; and its fuzzing phase in ``mode = all``), as each role: no 5xx, no response that
violates the schema, every status documented, invalid data refused with a 4xx.

One pytest item per operation and role, so that xdist spreads them; the number of cases each
item generated is reported at the end of the run (``schemathesis: N cases``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import allow_header_conformance
from support_api import Api, Clock, answer_all, fresh_database, make_app, serve, start

from anbiao.api.kernel.models import Role
from anbiao.core.engine import Engine

TOKENS: dict[str, dict[str, str]] = {}
# Fuzzing examples per operation and role (the coverage phase adds its own, deterministic ones).
FUZZ_EXAMPLES = 25
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {
            "mode": "all",
            "max-examples": FUZZ_EXAMPLES,
            "deterministic": True,
            # unknown query parameters and headers are ignored, as by most HTTP APIs; negative
            # data is still generated for every declared parameter and body field
            "allow-extra-parameters": False,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},  # the workflow has its own stateful test
        },
    }
)
# excluded: Litestar answers OPTIONS per handler, so `Allow` lists only that handler's methods
EXCLUDED = [allow_header_conformance]


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
            ("authority", "admin@fz.gov"),
            ("reviewer", "r1@x.cn"),
        ):
            TOKENS[role] = api.login(email)
    served = make_app(url, core_engine, clock)  # a fresh app: its own engine for uvicorn's loop
    with serve(served) as base:
        yield base


@pytest.fixture
def cases(request) -> list[int]:
    """Counts the cases of one item, in its report (summed up in conftest.py)."""
    counted: list[int] = []
    request.node.user_properties.append(("schemathesis_cases", counted))
    return counted


# the document as the app serves it (generating it needs no database)
_DOC = make_app("sqlite+aiosqlite://", Engine.from_plugins(load_entrypoints=False), Clock())
schema = schemathesis.openapi.from_dict(
    TestClient(_DOC).get("/schema/openapi.json").json(), config=CONFIG
)
SETTINGS = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def _check(case, base_url: str, role: str, cases: list[int]) -> None:
    cases.append(1)
    case.call_and_validate(base_url=base_url, headers=TOKENS[role], excluded_checks=EXCLUDED)


@schema.parametrize()
@SETTINGS
def test_as_enterprise(case, base_url, cases):
    _check(case, base_url, "enterprise", cases)


@schema.parametrize()
@SETTINGS
def test_as_reviewer(case, base_url, cases):
    _check(case, base_url, "reviewer", cases)


@schema.parametrize()
@SETTINGS
def test_as_authority(case, base_url, cases):
    _check(case, base_url, "authority", cases)
