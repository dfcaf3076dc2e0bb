import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest

from anbiao.core import plugin_manager as pm_module
from anbiao.core.catalog import Hazard
from anbiao.core.engine import Engine
from anbiao.core.errors import PluginConflictError, PluginLoadError
from anbiao.core.hookspecs import hookimpl
from anbiao.core.models._base import LocalizedText
from anbiao.core.plugin_manager import DEFAULT_PLUGINS, build_plugin_manager, list_plugins


@pytest.fixture
def fake_entry_points(monkeypatch, tmp_path):
    """Entry points of group 'anbiao' pointing at modules written into tmp_path."""
    monkeypatch.syspath_prepend(str(tmp_path))
    points: list[EntryPoint] = []

    def add(name: str, source: str) -> None:
        (tmp_path / f"{name}_plugin.py").write_text(textwrap.dedent(source), encoding="utf-8")
        points.append(EntryPoint(name, f"{name}_plugin", "anbiao"))

    monkeypatch.setattr(pm_module, "entry_points", lambda group: list(points))
    yield add
    for ep in points:
        sys.modules.pop(ep.value, None)


GOOD = """
from anbiao.core import hookimpl, Hazard, LocalizedText

@hookimpl
def register_hazards(register):
    register(Hazard(id="hot_work", title=LocalizedText(zh_CN="动火作业", en="Hot work")))
"""


def test_builtins_are_registered_without_entry_points():
    pm = build_plugin_manager(load_entrypoints=False)
    assert [name for name, _ in pm.list_name_plugin()] == list(DEFAULT_PLUGINS)


def test_entry_point_plugins_are_loaded(fake_entry_points, monkeypatch):
    monkeypatch.delenv("ANBIAO_LOAD_PLUGINS", raising=False)
    fake_entry_points("hotwork", GOOD)
    engine = Engine(build_plugin_manager())
    assert "hot_work" in engine.catalog.hazards
    info = {i.name: i for i in list_plugins(engine.pm)}["hotwork"]
    assert info.hooks == ("register_hazards",)


def test_allow_list_empty_means_none(fake_entry_points, monkeypatch):
    fake_entry_points("hotwork", GOOD)
    monkeypatch.setenv("ANBIAO_LOAD_PLUGINS", "")
    assert build_plugin_manager().get_plugin("hotwork") is None
    monkeypatch.setenv("ANBIAO_LOAD_PLUGINS", "hotwork")
    assert build_plugin_manager().get_plugin("hotwork") is not None


def test_block_list(fake_entry_points, monkeypatch):
    fake_entry_points("hotwork", GOOD)
    monkeypatch.delenv("ANBIAO_LOAD_PLUGINS", raising=False)
    monkeypatch.setenv("ANBIAO_DISABLE_PLUGINS", "hotwork, anbiao.plugins.default_hazards")
    pm = build_plugin_manager()
    assert pm.get_plugin("hotwork") is None
    assert pm.get_plugin("anbiao.plugins.default_hazards") is None


def test_import_error_names_the_plugin(fake_entry_points, monkeypatch):
    monkeypatch.delenv("ANBIAO_LOAD_PLUGINS", raising=False)
    fake_entry_points("broken", "import does_not_exist_anywhere\n")
    with pytest.raises(
        PluginLoadError, match=r"error importing plugin 'broken'.*ANBIAO_DISABLE_PLUGINS"
    ):
        build_plugin_manager()


def test_unknown_hook_fails_check_pending(fake_entry_points, monkeypatch):
    monkeypatch.delenv("ANBIAO_LOAD_PLUGINS", raising=False)
    fake_entry_points(
        "typo",
        "from anbiao.core import hookimpl\n\n@hookimpl\ndef regster_hazards(register):\n    pass\n",
    )
    with pytest.raises(PluginLoadError, match="typo"):
        build_plugin_manager()


def test_duplicate_ids_name_both_plugins(plugin_manager):
    class Again:
        @hookimpl
        def register_hazards(self, register):
            register(Hazard(id="dust_explosion", title=LocalizedText(zh_CN="粉尘")))

    plugin_manager.register(Again(), name="again")
    with pytest.raises(
        PluginConflictError, match=r"'anbiao\.plugins\.default_hazards' and 'again'"
    ):
        _ = Engine(plugin_manager).catalog


def test_duplicate_pack_names_both_plugins(make_engine):
    from support import PACKS

    with pytest.raises(PluginConflictError, match="checklist 'mini' registered by both"):
        _ = make_engine(PACKS / "mini", PACKS / "mini").catalog
