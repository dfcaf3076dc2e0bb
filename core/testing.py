"""Test kit for plugin authors: an opt-in pytest plugin.

Enable it in a ``conftest.py`` with ``pytest_plugins = ["anbiao.core.testing"]``. Fixtures:

* ``plugin_manager`` — a fresh manager with the built-in plugins, no entry points;
* ``register_plugin`` — ``register_plugin(obj, name=None)`` registers a plugin for one test;
* ``load_checklist_text`` — YAML text → validated pack (raises ``ChecklistValidationError``);
* ``engine`` — an :class:`~anbiao.core.engine.Engine` over ``plugin_manager`` (catalog built on
  first use, after the test registered its plugins);
* ``make_engine`` — ``make_engine(*sources, bundled=False)``: an engine whose catalog holds only the
  given pack folders or models (plus the bundled packs when ``bundled=True``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from anbiao.core.catalog import PACK_ADAPTER, Pack, PackSource
from anbiao.core.engine import Engine
from anbiao.core.hookspecs import hookimpl
from anbiao.core.loader import load_yaml
from anbiao.core.plugin_manager import PluginManager, build_plugin_manager

BUNDLED = "anbiao.plugins.default_checklists"


@pytest.fixture
def plugin_manager() -> PluginManager:
    return build_plugin_manager(load_entrypoints=False)


@pytest.fixture
def register_plugin(plugin_manager: PluginManager) -> Iterator[Callable[..., Any]]:
    registered: list[object] = []

    def register(plugin: object, name: str | None = None) -> object:
        plugin_manager.register(plugin, name=name)
        registered.append(plugin)
        return plugin

    yield register
    for plugin in registered:
        if plugin_manager.is_registered(plugin):
            plugin_manager.unregister(plugin)


def parse_checklist(text: str, file: str = "<text>") -> Pack:
    """YAML text → validated pack model."""
    return load_yaml(text, file, PACK_ADAPTER)[0]


@pytest.fixture
def load_checklist_text() -> Callable[[str], Pack]:
    return parse_checklist


@pytest.fixture
def engine(plugin_manager: PluginManager) -> Engine:
    return Engine(plugin_manager)


class _Packs:
    """A plugin contributing the given pack sources."""

    def __init__(self, sources: tuple[PackSource, ...]) -> None:
        self.sources = sources

    @hookimpl
    def register_checklists(self, register: Callable[[PackSource], None]) -> None:
        for source in self.sources:
            register(source)


def engine_with(*sources: PackSource, bundled: bool = False) -> Engine:
    """An engine over built-in plugins whose catalog holds ``sources`` (and maybe the bundle)."""
    pm = build_plugin_manager(load_entrypoints=False, block=set() if bundled else {BUNDLED})
    pm.register(_Packs(sources), name="test-packs")
    return Engine(pm)


@pytest.fixture
def make_engine() -> Callable[..., Engine]:
    return engine_with
