"""The example distribution (installed by .ci/setup) is found through its entry point and used."""

from __future__ import annotations

from importlib.metadata import entry_points

from support import make_profile

from anbiao.core.engine import Engine
from anbiao.core.plugin_manager import build_plugin_manager, list_plugins


def test_example_plugin_is_discovered_and_used(monkeypatch):
    monkeypatch.delenv("ANBIAO_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("ANBIAO_DISABLE_PLUGINS", raising=False)
    assert "example" in {ep.name for ep in entry_points(group="anbiao")}
    engine = Engine(build_plugin_manager())
    info = {i.name: i for i in list_plugins(engine.pm)}["example"]
    assert info.distribution.startswith("anbiao-example-plugin")
    assert info.hooks == ("register_checklists", "validate_profile")
    assert engine.catalog.packs["example-xiamen"].plugin == "example"
    xiamen = engine.compose(make_profile(region="350203", uscc="92350203MA0000023D"))
    assert "example-xiamen.5-6-1.01" in xiamen.items  # its overlay adds an item in Xiamen
    assert "example-xiamen.5-6-1.01" not in engine.compose(make_profile()).items
    medium = make_profile(employees=400, annual_revenue_10k=5000)
    warnings = [i for i in engine.check_profile(medium) if i.severity == "warning"]
    assert any("medium" in w.message for w in warnings)  # its validate_profile hook runs
