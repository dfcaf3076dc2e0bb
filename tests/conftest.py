"""Shared fixtures: the plugin-author test kit plus small packs under tests/data."""

from __future__ import annotations

import pytest
from hypothesis import settings
from support import MINI_PACKS, make_profile

pytest_plugins = ["anbiao.core.testing"]

# Property tests assert behaviour, not speed: on a shared, loaded machine one example can take
# longer than Hypothesis' default 200 ms deadline, which failed them at random.
settings.register_profile("anbiao", deadline=None)
settings.load_profile("anbiao")


@pytest.fixture
def profile():
    return make_profile()


@pytest.fixture
def mini_engine(make_engine):
    return make_engine(*MINI_PACKS)
