"""The service tunes the cyclic garbage collector when it starts (each worker process)."""

from __future__ import annotations

import gc

from litestar.testing import TestClient
from support_api import make_app

from anbiao.api.kernel.collector import THRESHOLDS


def test_a_started_service_collects_less_often(database_url, core_engine, clock):
    default = (700, 10, 10)
    gc.set_threshold(*default)
    try:
        app = make_app(database_url, core_engine, clock)
        assert gc.get_threshold() == default  # built, not started
        with TestClient(app):
            assert gc.get_threshold() == THRESHOLDS
    finally:
        gc.set_threshold(*THRESHOLDS)
