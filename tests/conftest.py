"""Shared fixtures: the plugin-author test kit plus small packs under tests/data."""

from __future__ import annotations

import pytest
from support import MINI_PACKS, make_profile

pytest_plugins = ["anbiao.core.testing"]


@pytest.fixture
def profile():
    return make_profile()


@pytest.fixture
def mini_engine(make_engine):
    return make_engine(*MINI_PACKS)
